"""Every write of talks (発表), one module per process (see docs/talks.md).

Talks and speakers: `talks` (create, edit, decide, withdraw), `invitations` (invite by link
or mail, guest speakers, accepting an invitation), `proposals` (register to a speakers' frame
with a talk), `sync` (registration status → talk state; called by
registrations.services.audit.record, so it imports no registration service).
"""
