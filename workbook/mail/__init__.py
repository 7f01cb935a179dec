"""Invitations and reminders by email (``workbook invites ORG --send``).

Modules, each with one job: :mod:`~workbook.mail.settings` (the ``--smtp``
URL), :mod:`~workbook.mail.templates` (the editable wording),
:mod:`~workbook.mail.message` (one MIME message), :mod:`~workbook.mail.transport`
(one SMTP connection, or an outbox folder), :mod:`~workbook.mail.selection`
(who gets a reminder), :mod:`~workbook.mail.campaign` (one run: skips, pace,
log, summary) and :mod:`~workbook.mail.command` (the command-line side).
Nothing heavy is imported here, so ``workbook --help`` stays quick.
"""
