"""Path converters: a record id is 1 to 18 digits, so no URL can overflow a 64-bit key."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
