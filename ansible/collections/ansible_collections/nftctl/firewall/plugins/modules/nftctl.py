# -*- coding: utf-8 -*-
# The Ansible side of nftctl: a thin wrapper that runs the nftctl binary on the managed host
# and maps its exit codes onto Ansible's changed/failed/check/diff conventions. Every decision
# about the firewall (the plan, the lockout check, the confirm window) stays in nftctl.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: nftctl
short_description: Apply an nftctl ruleset on a host, with check/diff mode and a self-rolling-back confirm window
description:
  - Runs the C(nftctl) binary on the managed host. nftctl only ever touches the tables the
    ruleset declares; every other table (Docker's, a VPN's) is left as it is.
  - "C(state=applied) runs C(nftctl apply SRC --yes): one kernel transaction with only the
    differences, verified by listing the kernel again. The task is C(changed) only when
    something was applied."
  - Over SSH (C(SSH_CONNECTION) is set for the module, as it is for any command Ansible runs),
    nftctl traces the session's own packets (the established connection both ways and a new
    connection from the same client) through the new rules first and refuses the apply if they
    would be dropped. The task then fails with nftctl's explanation. This module has no way to
    override that check.
  - With O(confirm), nftctl arms a rollback in a detached process before the commit. Unless
    C(state=confirmed) (C(nftctl confirm)) runs on the host within the window, the host puts the
    tables it changed back as they were, by itself, even if the controller or the SSH
    connection is gone.
  - In check mode (and with C(state=checked)) the module runs C(nftctl diff), which changes
    nothing; exit 1 means the rules differ, 0 that they do not, 2 trouble.
  - In diff mode the plan is returned as before/after text (removed or old lines before, added
    or new lines after, under their table and chain).
  - A failure returns nftctl's own message, with control characters escaped as C(\xHH).
version_added: "0.1.0"
author:
  - nftctl developers
requirements:
  - the nftctl binary on the managed host (C(nftctl) in C(PATH), or O(executable))
  - root or CAP_NET_ADMIN on the managed host for C(applied) and C(confirmed)
  - a Swift toolchain on the managed host only when O(src) is a C(.swift) rules file;
    compile on the controller (C(nftctl compile)) and ship the JSON to avoid that
options:
  src:
    description:
      - The ruleset on the managed host, as nftctl reads it, chosen by extension
        (C(.json) compiled libnftables JSON as C(nftctl compile) writes it, C(.nft) nft syntax,
        C(.swift) the Swift DSL or a directory of C(.swift) files).
      - Required unless O(state=confirmed).
    type: path
  state:
    description:
      - C(applied) brings the declared tables to what O(src) says.
      - C(checked) only compares (C(nftctl diff)); never changes anything and is never C(changed).
        The result's RV(differs) says whether the rules differ.
      - C(confirmed) runs C(nftctl confirm) to keep the changes of the last apply made with
        O(confirm); it fails when no apply is waiting (for example when the window has passed
        and the host has already rolled back).
    type: str
    choices: [applied, checked, confirmed]
    default: applied
  confirm:
    description:
      - Roll back automatically unless C(state=confirmed) runs within this time, for example
        C(60s), C(5m), C(1h) or a number of seconds.
      - Only with O(state=applied). An apply that changed nothing arms no rollback (then there
        is nothing to confirm; see RV(confirm_pending)).
    type: str
  prune:
    description:
      - Also delete tables nftctl applied before that O(src) no longer declares.
      - Check mode does not show such deletions (C(nftctl diff) has no prune).
    type: bool
    default: false
  netns:
    description:
      - Work in this named network namespace on the host (from C(ip netns list)).
      - The lockout check only guards the host's own namespace, which is where an SSH
        session arrives.
    type: str
  executable:
    description:
      - The nftctl binary. Default C(nftctl) found in C(PATH) (and C(/usr/local/bin), C(/usr/sbin)).
    type: path
  wait:
    description:
      - If another nftctl is changing the namespace's ruleset, wait this many seconds for it
        (nftctl's C(--wait); its default is 5).
    type: float
notes:
  - Supports check mode and diff mode.
  - nftctl keeps its state (managed tables, snapshots, the pending confirmation) under
    C(/var/lib/nftctl); C(NFTCTL_STATE_DIR) in the module's environment overrides it.
'''

EXAMPLES = r'''
- name: Apply the compiled ruleset; roll back by itself unless confirmed within 60 s
  nftctl.firewall.nftctl:
    src: /var/lib/nftctl-rollout/ruleset.json
    confirm: 60s
    prune: true
  register: fw

- name: Health check from the controller
  ansible.builtin.uri:
    url: "http://{{ ansible_host }}/"
  delegate_to: localhost
  when: fw.confirm_pending

- name: Keep the new rules
  nftctl.firewall.nftctl:
    state: confirmed
  when: fw.confirm_pending

- name: Only report whether the rules differ (never changes anything)
  nftctl.firewall.nftctl:
    src: /etc/nftctl/rules.nft
    state: checked
  register: drift
'''

RETURN = r'''
differs:
  description: Whether the live ruleset differs from O(src) (from C(nftctl diff); absent when no diff ran).
  returned: when a diff ran (check mode, diff mode, C(state=checked))
  type: bool
plan:
  description: The plan as C(nftctl diff --format json) prints it (tables, their changes, counts).
  returned: when a diff ran
  type: dict
confirm_pending:
  description: Whether an apply is now waiting for C(state=confirmed) before it is rolled back.
  returned: with C(state=applied)
  type: bool
rc:
  description: The exit status of the last nftctl command.
  returned: always
  type: int
stdout:
  description: What the last nftctl command printed, control characters escaped.
  returned: always
  type: str
stderr:
  description: nftctl's error output, control characters escaped.
  returned: always
  type: str
cmd:
  description: The last nftctl command line.
  returned: always
  type: list
  elements: str
'''

import json
import re

from ansible.module_utils.basic import AnsibleModule

# Apply prints one of these as the first word of its own lines (the plan's lines are indented).
APPLIED_MARKER = 'applied to '
PENDING_MARKER = 'run `nftctl confirm'
DURATION = re.compile(r'^[0-9]+(\.[0-9]+)?(ms|s|m|h)?$')


def is_unsafe(code):
    """The scalars nftctl's SafeText never prints raw: C0 and C1 controls, DEL, line and
    paragraph separators, bidirectional formatting characters."""
    return (code < 0x20 or 0x7F <= code <= 0x9F or code in (0x061C, 0x200E, 0x200F)
            or 0x2028 <= code <= 0x202E or 0x2066 <= code <= 0x2069)


def escape(text, keep_layout=True):
    """nftctl's own escaping (\\xHH, \\u{HHHH}); newlines and tabs kept for multi-line text."""
    out = []
    for ch in text:
        code = ord(ch)
        if not is_unsafe(code) or (keep_layout and ch in '\n\t'):
            out.append(ch)
        elif code <= 0xFF:
            out.append('\\x%02x' % code)
        else:
            out.append('\\u{%x}' % code)
    return ''.join(out)


class NFTCtl(object):
    def __init__(self, module):
        self.module = module
        p = module.params
        exe = p['executable'] or module.get_bin_path('nftctl', required=True, opt_dirs=['/usr/local/bin', '/usr/sbin'])
        self.exe = exe
        self.netns = ['--netns', p['netns']] if p['netns'] else []
        # failed is explicit: Ansible counts any non-zero rc as a failure, and diff's exit 1
        # ("the rules differ") is not one.
        self.result = dict(changed=False, failed=False, rc=0, stdout='', stderr='', cmd=[])

    def run(self, args):
        cmd = [self.exe] + args
        rc, out, err = self.module.run_command(cmd, check_rc=False, environ_update={'NO_COLOR': '1'})
        self.result.update(rc=rc, stdout=escape(out), stderr=escape(err), cmd=cmd)
        for line in err.splitlines():
            if line.startswith('warning: '):
                self.module.warn(escape(line[len('warning: '):], keep_layout=False))
        return rc, out, err

    def fail(self, what):
        """Fails with nftctl's own message: its error output, else what it printed."""
        message = (self.result['stderr'] or self.result['stdout']).strip()
        if message.startswith('Error: '):
            message = message[len('Error: '):]
        self.result.pop('failed', None)
        self.module.fail_json(msg='nftctl %s failed (exit %d): %s' % (what, self.result['rc'], message or 'no message'),
                              **self.result)

    def diff(self, src):
        """`nftctl diff --format json`: exit 0 same, 1 differs, 2 trouble."""
        rc, out, _ = self.run(['diff', src, '--format', 'json'] + self.netns)
        if rc not in (0, 1):
            self.fail('diff')
        try:
            plan = json.loads(out)
        except ValueError:
            self.result.pop('failed', None)
            self.module.fail_json(msg='nftctl diff printed no JSON plan', **self.result)
        self.result.update(differs=(rc == 1), plan=plan)
        if self.module._diff:
            self.result['diff'] = before_after(plan, src)
        return rc == 1


def before_after(plan, src):
    """The plan as Ansible's before/after: removed and old lines before, added and new lines
    after, each under `table FAMILY NAME` and its `chain NAME` (headers of a table that is
    created or deleted on its one side only). Texts are escaped already by nftctl; escaped
    again here (idempotent) in case an older binary did not."""
    before, after = [], []
    for table in plan.get('tables', []):
        header = 'table %s %s' % (table.get('family', '?'), table.get('name', '?'))
        changes = table.get('changes', [])
        whole = {c.get('op') for c in changes if c.get('chain') is None and c.get('text', '').startswith(header)}
        if 'add' not in whole:
            before.append(header)
        if 'delete' not in whole:
            after.append(header)
        chain = None
        for change in changes:
            if change.get('chain') is None and change.get('text', '').startswith(header):
                continue
            if change.get('chain') != chain:
                chain = change.get('chain')
                if chain is not None:
                    if 'add' not in whole:
                        before.append('  chain %s' % chain)
                    if 'delete' not in whole:
                        after.append('  chain %s' % chain)
            indent = '    ' if chain is not None else '  '
            op = change.get('op')
            if op == 'add':
                after.append(indent + change.get('text', ''))
            elif op == 'delete':
                before.append(indent + change.get('text', ''))
            else:
                before.append(indent + change.get('old', ''))
                after.append(indent + change.get('text', ''))
    return dict(before=escape(''.join(line + '\n' for line in before)), after=escape(''.join(line + '\n' for line in after)),
                before_header='live ruleset', after_header=escape(src, keep_layout=False))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type='path'),
            state=dict(type='str', default='applied', choices=['applied', 'checked', 'confirmed']),
            confirm=dict(type='str'),
            prune=dict(type='bool', default=False),
            netns=dict(type='str'),
            executable=dict(type='path'),
            wait=dict(type='float'),
        ),
        required_if=[('state', 'applied', ['src']), ('state', 'checked', ['src'])],
        supports_check_mode=True,
    )
    p = module.params
    if p['confirm'] is not None:
        if p['state'] != 'applied':
            module.fail_json(msg='confirm is only for state=applied')
        if not DURATION.match(p['confirm']):
            module.fail_json(msg='confirm needs a duration such as 60s, 5m or 1h, not %r' % escape(p['confirm'], keep_layout=False))
    wait = ['--wait', str(p['wait'])] if p['wait'] is not None else []
    n = NFTCtl(module)

    if p['state'] == 'confirmed':
        if module.check_mode:
            module.exit_json(msg='check mode: nftctl confirm not run', **n.result)
        rc, _, _ = n.run(['confirm'] + n.netns + wait)
        if rc != 0:
            n.fail('confirm')
        n.result['changed'] = True
        module.exit_json(**n.result)

    if p['state'] == 'checked':
        n.diff(p['src'])
        module.exit_json(**n.result)

    # state=applied
    if module.check_mode:
        n.result['changed'] = n.diff(p['src'])
        n.result['confirm_pending'] = False
        module.exit_json(**n.result)
    if module._diff:
        n.diff(p['src'])
    args = ['apply', p['src'], '--yes'] + n.netns + wait
    if p['confirm'] is not None:
        args += ['--confirm', p['confirm']]
    if p['prune']:
        args.append('--prune')
    plan_result = {k: n.result[k] for k in ('differs', 'plan', 'diff') if k in n.result}
    rc, out, _ = n.run(args)
    n.result.update(plan_result)
    if rc != 0:
        n.fail('apply')
    lines = out.splitlines()
    n.result['changed'] = any(line.startswith(APPLIED_MARKER) for line in lines)
    n.result['confirm_pending'] = any(line.startswith(PENDING_MARKER) for line in lines)
    if not n.result['changed']:
        n.result.pop('diff', None)
    module.exit_json(**n.result)


if __name__ == '__main__':
    main()
