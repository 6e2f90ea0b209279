import pytest
from django.core.exceptions import ValidationError

from sites.origins import normalize_origin, origin_allowed, parse_origin_list, validate_origin_list

pytestmark = pytest.mark.security


@pytest.mark.parametrize(("raw", "canonical"), [
    ("https://shop.example", "https://shop.example"),
    ("HTTPS://Shop.Example:443", "https://shop.example"),
    ("http://shop.example:80/", "http://shop.example"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ("http://[::1]:8001", "http://[::1]:8001"),
])
def test_origins_are_canonical(raw, canonical):
    assert normalize_origin(raw) == canonical


@pytest.mark.parametrize("raw", [
    "", "null", "shop.example", "ftp://shop.example", "https://*.shop.example",
    "https://shop.example/path", "https://user@shop.example", "https://shop.example?x=1",
    "https://shop.example:99999", "javascript:alert(1)",
])
def test_non_origins_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_origin(raw)


def test_only_exact_origins_are_allowed():
    allowed = parse_origin_list("https://shop.example\nhttp://localhost:8001, https://b.example")
    assert allowed == ["https://shop.example", "http://localhost:8001", "https://b.example"]
    assert origin_allowed("https://shop.example", allowed)
    assert origin_allowed("https://SHOP.example:443", allowed)
    for bad in (None, "", "null", "http://shop.example", "https://shop.example:8443",
                "https://evil.shop.example", "https://shop.example.evil.com",
                "https://shopexample", "http://localhost:8002"):
        assert not origin_allowed(bad, allowed), bad


def test_admin_validation_names_the_bad_entry():
    validate_origin_list("https://ok.example\nhttp://localhost:3000")
    with pytest.raises(ValidationError, match="not an exact origin"):
        validate_origin_list("https://ok.example\nhttps://*.wild.example")
