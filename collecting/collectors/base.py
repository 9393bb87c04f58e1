"""What a collector is: the parameters it asks a user for, and how it logs in, lists and downloads.

A collector is a plugin (`collecting.collectors.REGISTRY`): it declares its `params` (shown by the
credential page and `GET /collectors`, checked by `credential_create`) and implements `open`, which
logs in and answers a `Session`; the session lists what is there (`documents`), downloads one
(`download`) and, after the run has stored what it collected, applies the post-collection action
(`finish`: mark a mail read, move a file to `done`, ...). The run (`collecting.runs`) decides what is
new, stores, de-duplicates and pushes; a collector only talks to its source.

Errors a collector raises say what the run should do: `LoginFailed` (the credential is wrong: twice
in a row marks it disconnected), `TransientError` (try again later), `CollectorError` (this run
failed, say why).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class CollectorError(Exception):
    """The run failed; the message says why, in words a user can act on (never a secret)."""


class LoginFailed(CollectorError):
    """The source refused the credential's login."""


class TransientError(CollectorError):
    """The source could not be reached or answered an error that may pass: try again later."""


@dataclass(frozen=True)
class Param:
    """One parameter a collector asks for. `type` is text, password, number, select, boolean or textarea."""

    name: str
    type: str
    label: dict[str, str]  # by locale: {"en": ..., "fr": ...}
    placeholder: dict[str, str] = field(default_factory=dict)
    mandatory: bool = True
    secret: bool = False
    default: Any = None
    choices: tuple[tuple[str, dict[str, str]], ...] = ()  # select: (value, label by locale)

    def describe(self, locale: str) -> dict[str, Any]:
        """The parameter as `GET /collectors` shows it, in one locale."""
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label.get(locale) or self.label["en"],
            "placeholder": self.placeholder.get(locale) or self.placeholder.get("en", ""),
            "mandatory": self.mandatory,
            "secret": self.secret,
            "default": self.default,
            "choices": [{"value": value, "label": label.get(locale) or label["en"]} for value, label in self.choices],
        }


@dataclass(frozen=True)
class DocumentRef:
    """A document the source has: `key` names it for good (a Message-ID and attachment index, a path)."""

    key: str
    file_name: str
    issued_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what `download` / `finish` need (a UID, a path)


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    mimetype: str


# Asks the user for the second factor and waits for it (up to 5 minutes); None when none came.
TwoFactorPrompt = Callable[[], str | None]


class Session(ABC):
    """A logged-in connection to the source, for one run."""

    @abstractmethod
    def documents(self, *, since: datetime | None) -> Iterable[DocumentRef]:
        """What the source has, newer than `since` where it can tell (older ones may be listed too)."""

    @abstractmethod
    def download(self, ref: DocumentRef) -> Downloaded: ...

    def finish(self, collected: list[DocumentRef]) -> None:  # noqa: B027 - doing nothing is a fine default
        """Apply the post-collection action to what this run stored (mark read, move...)."""

    def close(self) -> None:  # noqa: B027
        """Log out and free the connection."""


class Collector(ABC):
    key: str
    name: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...]

    @abstractmethod
    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        """Log in with the credential's params. Raises LoginFailed, TransientError or CollectorError."""

    def describe(self, locale: str) -> dict[str, Any]:
        """The collector as `GET /collectors` shows it."""
        return {
            "id": self.key,
            "name": self.name.get(locale) or self.name["en"],
            "description": self.description.get(locale) or self.description["en"],
            "params": [param.describe(locale) for param in self.params],
        }

    def clean_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """The params a credential keeps: only the declared ones, mandatory ones present, types checked.
        Raises ValueError naming the parameter."""
        cleaned: dict[str, Any] = {}
        unknown = sorted(set(given) - {param.name for param in self.params})
        if unknown:
            raise ValueError(f"params.{unknown[0]}: not a parameter of the {self.key} collector.")
        for param in self.params:
            value = given.get(param.name, param.default)
            if value in (None, ""):
                if param.mandatory:
                    raise ValueError(f"params.{param.name}: required.")
                continue
            if param.type == "number":
                if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
                    raise ValueError(f"params.{param.name}: a whole number.")
                value = int(value)
            elif param.type == "boolean":
                if not isinstance(value, bool):
                    raise ValueError(f"params.{param.name}: true or false.")
            elif not isinstance(value, str) or len(value) > 5000:
                raise ValueError(f"params.{param.name}: text of at most 5000 characters.")
            if param.choices and value not in {choice for choice, _ in param.choices}:
                raise ValueError(f"params.{param.name}: one of {', '.join(c for c, _ in param.choices)}.")
            cleaned[param.name] = value
        return cleaned
