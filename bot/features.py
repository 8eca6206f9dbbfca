"""The one interface through which a feature adds itself to the bot.

Each feature package (surveys, J-PAT, meetings, people, reports, …) describes what it brings
in a ``Feature``: its commands, button prefixes, typed-text steps, pushes and hooks. The
application builds one ``Registry`` from the list in ``bot.app.FEATURES`` and keeps it on the
services object; the router, the dispatcher, /cancel and /mydata read from it. No module writes
into another module's globals, and a clash (two features claiming one command, button prefix,
step or push kind) stops the bot at start-up instead of one silently replacing the other.

Where order matters — the typed-message fallbacks and the /cancel hooks — features are asked in
the order of ``bot.app.FEATURES``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Feature:
    name: str
    #: /command -> handler(update, context)
    commands: Mapping[str, Handler] = field(default_factory=dict)
    #: callback-data prefix (before the first ":") -> handler(update, context)
    buttons: Mapping[str, Handler] = field(default_factory=dict)
    #: chat step name -> handler(update, context, person, flow) for typed text in that step
    flows: Mapping[str, Handler] = field(default_factory=dict)
    #: chat step name -> handler(update, context, person, flow) for a forwarded message
    forwards: Mapping[str, Handler] = field(default_factory=dict)
    #: chat step name -> handler(update, context, person, flow) for a file sent in that step
    documents: Mapping[str, Handler] = field(default_factory=dict)
    #: steps that put the parts of a text Telegram split back together themselves
    joins_parts: frozenset[str] = frozenset()
    #: handler(update, context, person) -> True when it took a message no step was waiting for
    fallbacks: tuple[Handler, ...] = ()
    #: handler(update, context, person) -> True when /cancel left something of this feature
    cancel_hooks: tuple[Handler, ...] = ()
    #: push kind -> composer(services, delivery, language, zone) -> (text, keyboard, parse mode)
    composers: Mapping[str, Handler] = field(default_factory=dict)
    #: push kind -> guard(session, delivery, contact, now) -> Verdict
    guards: Mapping[str, Handler] = field(default_factory=dict)
    #: hook(services, now) run on every dispatcher tick before sending
    tick_hooks: tuple[Handler, ...] = ()
    #: hook(context, response) after a survey response is completed; may return a note
    completion_hooks: tuple[Handler, ...] = ()
    #: section(services, session, contact, language) -> this feature's part of /mydata
    mydata_sections: tuple[Handler, ...] = ()
    #: hook(application) once the bot is initialised
    on_startup: tuple[Handler, ...] = ()
    #: name -> a function of this feature that another one calls as
    #: ``services(context).registry.calls[name]`` where importing it would close an import circle
    calls: Mapping[str, Handler] = field(default_factory=dict)


@dataclass
class Registry:
    """Everything the features declared, merged; read-only once the bot runs."""

    commands: dict[str, Handler] = field(default_factory=dict)
    buttons: dict[str, Handler] = field(default_factory=dict)
    flows: dict[str, Handler] = field(default_factory=dict)
    forwards: dict[str, Handler] = field(default_factory=dict)
    documents: dict[str, Handler] = field(default_factory=dict)
    joins_parts: frozenset[str] = frozenset()
    fallbacks: tuple[Handler, ...] = ()
    cancel_hooks: tuple[Handler, ...] = ()
    composers: dict[str, Handler] = field(default_factory=dict)
    guards: dict[str, Handler] = field(default_factory=dict)
    tick_hooks: tuple[Handler, ...] = ()
    completion_hooks: tuple[Handler, ...] = ()
    mydata_sections: tuple[Handler, ...] = ()
    on_startup: tuple[Handler, ...] = ()
    calls: dict[str, Handler] = field(default_factory=dict)

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Registry:
        registry = cls()
        joins: set[str] = set()
        for feature in features:
            for name in (
                "commands",
                "buttons",
                "flows",
                "forwards",
                "documents",
                "composers",
                "guards",
                "calls",
            ):
                _merge(getattr(registry, name), getattr(feature, name), name, feature.name)
            joins |= feature.joins_parts
            for name in (
                "fallbacks",
                "cancel_hooks",
                "tick_hooks",
                "completion_hooks",
                "mydata_sections",
                "on_startup",
            ):
                setattr(registry, name, getattr(registry, name) + tuple(getattr(feature, name)))
        registry.joins_parts = frozenset(joins)
        unknown = set(registry.guards) - set(registry.composers)
        if unknown:
            raise ValueError(f"guards for push kinds nobody composes: {sorted(unknown)}")
        return registry


def _merge(into: dict[str, Handler], new: Mapping[str, Handler], what: str, owner: str) -> None:
    clash = set(into) & set(new)
    if clash:
        raise ValueError(f"feature {owner!r} declares {what} already taken: {sorted(clash)}")
    into.update(new)
