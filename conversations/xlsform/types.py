"""XLSForm question types: which ones we map, and the refusal for each one we cannot run.

A type is read the way pyxform reads it (``select_one``/``select one``, ``begin_group``/
``begin group``, ``int``/``integer``, ...). Each refused type gets its own plain reason,
because "not supported" alone does not tell a KoBo author what to do instead.
"""

from __future__ import annotations

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from conversations.xlsform import messages as msg

SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "note": "note",
    "range": "scale",
}
_KNOWN_TYPES = {" ".join(t.replace("_", " ").split()).lower() for t in QUESTION_TYPE_DICT}
_GEO = {
    "geopoint",
    "geotrace",
    "geoshape",
    "gps",
    "location",
    "start-geopoint",
    "background-geopoint",
}
_MEDIA = {"image", "photo", "audio", "video", "file", "background-audio", "background-video"}
_TIME = {"time", "datetime", "date time", "start time", "end time"}
METADATA = {
    "start", "end", "today", "deviceid", "device id", "username", "phonenumber", "phone number",
    "simserial", "sim id", "subscriberid", "subscriber id", "audit", "email", "imei",
    "uri:deviceid", "uri:email", "uri:phonenumber", "uri:simserial", "uri:subscriberid",
    "uri:username", "get start time", "get end time", "get today", "get device id",
}  # fmt: skip


def classify(raw: str) -> tuple[str, str | None] | str:
    """``(our type, choice list name)``, or the refusal line for a type we cannot run."""
    words = " ".join(raw.replace("_", " ").split()).lower()
    parts = words.split()
    head = " ".join(parts[:2])
    if head in {"select one", "select multiple", "select1"} or words.startswith(
        "select all that apply"
    ):
        if "from file" in words or "external" in words:
            return msg.SELECT_FROM_FILE
        names = (
            raw.split()[1:]
            if raw.split()[0].lower() in {"select_one", "select_multiple", "select1"}
            else raw.split()[2:]
        )
        if names and names[-1] == "or_other":
            return msg.OR_OTHER
        if len(names) != 1:
            return msg.UNKNOWN_TYPE.format(type=raw)
        return (
            "multiple_choice" if "multiple" in head or "all" in head else "single_choice"
        ), names[0]
    if words in SIMPLE_TYPES:
        return SIMPLE_TYPES[words], None
    if parts[0] == "rank":
        return msg.RANK
    if words in _TIME:
        return msg.TIME
    if words in {"calculate", "hidden"}:
        return msg.TYPE_NOT_SUPPORTED["calculate"]
    if words in _GEO:
        return msg.TYPE_NOT_SUPPORTED[words if words in {"geotrace", "geoshape"} else "geopoint"]
    if words in _MEDIA:
        return msg.TYPE_NOT_SUPPORTED["media"]
    if words in _KNOWN_TYPES:
        return msg.TYPE_NOT_SUPPORTED["other"].format(type=raw)
    return msg.UNKNOWN_TYPE.format(type=raw)
