"""Who is acting: the identity every write is audited under and every read is scoped by."""

from __future__ import annotations

from dataclasses import dataclass

# Roles that read and work on the records of every organisation.
ALL_ORGANISATION_ROLES = ("admin", "organiser")
# Roles that enter records and read personal data: those above and association staff.
STAFF_ROLES = (*ALL_ORGANISATION_ROLES, "association")
# Every role an account may have, in the order forms offer them.
ROLES = (*STAFF_ROLES, "observer", "volunteer")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    organisation_id: int | None = None
    volunteer_id: int | None = None
    # The country the account works in; None: every country (the organisation running the platform).
    country_code: str | None = None
    # The account's version at login (data_layer.access.accounts); once the account changes, this login ends.
    session_version: int = 0

    @property
    def sees_all_organisations(self) -> bool:
        return self.role in ALL_ORGANISATION_ROLES

    @property
    def may_enter_records(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def may_read_personal_data(self) -> bool:
        return self.role in STAFF_ROLES


def organisation_scope(actor: Actor) -> int | None:
    """The organisation whose records an actor may read: None means every organisation.

    Organisers and admins read all; association staff their own organisation; anyone else
    (observers, volunteers, the public) no record at all.
    """
    from data_layer.core.errors import PermissionDenied

    if actor.sees_all_organisations:
        return None
    if actor.role == "association" and actor.organisation_id is not None:
        return actor.organisation_id
    raise PermissionDenied()


# The command line and demo seeding act as this system user.
SYSTEM = Actor(user_id=None, username="system", role="admin")
# Anyone filling a public form.
PUBLIC = Actor(user_id=None, username="public", role="public")
