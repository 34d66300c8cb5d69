"""A stand-in: the case needs only that the handler module exists."""


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    return {}
