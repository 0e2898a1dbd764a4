#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Check packaging/60-objinvoke.rules without running udev.

The test VM's guest has no udev, and bookworm's udev (252) has no
`udevadm verify` (253 added it; it runs too where it exists).  So this
parses the rule as udev(7) describes it: comma-separated KEY OP "VALUE"
pairs, match keys with == or !=, assignment keys with =, +=, -= or :=.
Then it checks what the rule is for: the device names are the ones the
module registers, the group is the one sysusers.d creates, and each node
has the owner and mode docs/packaging.md promises.

    check_udev_rule.py RULES SYSUSERS KERNEL_DIR
"""
import glob
import re
import shutil
import subprocess
import sys

MATCH_KEYS = {'ACTION', 'DEVPATH', 'KERNEL', 'KERNELS', 'NAME', 'SYMLINK',
              'SUBSYSTEM', 'SUBSYSTEMS', 'DRIVER', 'DRIVERS', 'ATTR',
              'ATTRS', 'SYSCTL', 'ENV', 'CONST', 'TAG', 'TAGS', 'TEST',
              'PROGRAM', 'RESULT'}
ASSIGN_KEYS = {'NAME', 'SYMLINK', 'OWNER', 'GROUP', 'MODE', 'SECLABEL',
               'ATTR', 'SYSCTL', 'ENV', 'TAG', 'RUN', 'LABEL', 'GOTO',
               'IMPORT', 'OPTIONS'}
PAIR = re.compile(r'\s*([A-Z_]+)(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*')

errors = []


def error(where, msg):
    errors.append(f'{where}: {msg}')


def parse_rules(path):
    """Each rule as (line number, [(key, attr, op, value)])."""
    rules = []
    with open(path) as f:
        lines = f.read().split('\n')
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith('#'):
            continue
        if text.endswith('\\'):
            error(f'{path}:{n}', 'continued lines are not used here: keep one rule a line')
        pairs = []
        for field in text.split(','):
            m = PAIR.fullmatch(field)
            if not m:
                error(f'{path}:{n}', f'not KEY OP "VALUE": {field.strip()!r}')
                continue
            key, attr, op, value = m.groups()
            if op in ('==', '!='):
                if key not in MATCH_KEYS:
                    error(f'{path}:{n}', f'{key} is not a match key')
            elif key not in ASSIGN_KEYS:
                error(f'{path}:{n}', f'{key} cannot be assigned')
            if key == 'MODE' and not re.fullmatch(r'0[0-7]{3}', value):
                error(f'{path}:{n}', f'MODE {value!r} is not a 4-digit octal mode')
            pairs.append((key, attr, op, value))
        kinds = {p[2] in ('==', '!=') for p in pairs}
        if kinds != {True, False}:
            error(f'{path}:{n}', 'a rule needs a match and an assignment')
        rules.append((n, pairs))
    return rules


def misc_device_names(kernel_dir):
    """The .name of every miscdevice the module registers."""
    names = set()
    for src in glob.glob(f'{kernel_dir}/*.c'):
        text = open(src).read()
        for block in re.findall(r'struct miscdevice \w+ = \{(.*?)\};', text, re.S):
            names.update(re.findall(r'\.name\s*=\s*"([^"]+)"', block))
    return names


def main():
    rules_path, sysusers_path, kernel_dir = sys.argv[1:4]
    rules = parse_rules(rules_path)

    groups = {line.split()[1] for line in open(sysusers_path)
              if line.split() and line.split()[0] == 'g'}
    # What each node is given, by (subsystem, kernel name).
    nodes = {}
    for n, pairs in rules:
        match = {k: v for k, _, op, v in pairs if op == '=='}
        assign = {k: v for k, _, op, v in pairs if op == '='}
        nodes[(match.get('SUBSYSTEM'), match.get('KERNEL'))] = assign
        group = assign.get('GROUP')
        if group and group != 'root' and group not in groups:
            error(f'{rules_path}:{n}', f'group {group} is not created by {sysusers_path}')

    misc = misc_device_names(kernel_dir)
    if {'objinvoke', 'objinvoke-emu'} - misc:
        error(kernel_dir, f'the module registers {sorted(misc)}, not objinvoke and objinvoke-emu')
    want = {
        ('misc', 'objinvoke'): {'GROUP': 'objinvoke', 'MODE': '0660'},
        ('misc', 'objinvoke-emu'): {'OWNER': 'root', 'MODE': '0600'},
        ('dma_heap', 'system'): {'GROUP': 'objinvoke', 'MODE': '0660'},
        ('misc', 'udmabuf'): {'GROUP': 'objinvoke', 'MODE': '0660'},
    }
    for node, expect in want.items():
        got = nodes.get(node)
        if got is None:
            error(rules_path, f'no rule for SUBSYSTEM=="{node[0]}", KERNEL=="{node[1]}"')
            continue
        for key, value in expect.items():
            if got.get(key) != value:
                error(rules_path, f'{node[1]}: {key} is {got.get(key)!r}, want {value!r}')

    udevadm = shutil.which('udevadm')
    if udevadm and subprocess.run([udevadm, 'verify', '--help'],
                                  capture_output=True).returncode == 0:
        r = subprocess.run([udevadm, 'verify', rules_path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            error(rules_path, 'udevadm verify: ' + r.stdout + r.stderr)

    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f'{rules_path}: {len(rules)} rules parse; names, group and modes as intended')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
