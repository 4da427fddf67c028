"""Who is acting: the identity every write is audited under and every read is scoped by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    organisation_id: int | None = None
    volunteer_id: int | None = None

    @property
    def sees_all_organisations(self) -> bool:
        return self.role in ("admin", "organiser")

    @property
    def may_enter_records(self) -> bool:
        return self.role in ("admin", "organiser", "association")

    @property
    def may_read_personal_data(self) -> bool:
        return self.role in ("admin", "organiser", "association")


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
