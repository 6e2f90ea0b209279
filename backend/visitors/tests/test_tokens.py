import time

import pytest
from django.core import signing

from visitors.identity import check_user_hash, user_hash
from visitors.tokens import SALT, TokenError, make_token, read_token

pytestmark = pytest.mark.security


def test_a_token_names_its_visitor_on_its_own_site_only():
    token = make_token(7, "a" * 32)
    assert read_token(token, 7) == "a" * 32
    with pytest.raises(TokenError) as other_site:
        read_token(token, 8)
    assert other_site.value.code == "token_invalid"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: "x" + t,
    lambda t: t.split(":")[0],
    lambda t: "",
    lambda t: signing.dumps({"s": 7, "v": "a" * 32}, salt="another.salt"),
    lambda t: signing.dumps({"s": 7, "v": "a" * 32}, salt=SALT, key="not-our-secret-key-0000"),
])
def test_tampered_or_foreign_tokens_are_refused(mangle):
    with pytest.raises(TokenError) as refused:
        read_token(mangle(make_token(7, "a" * 32)), 7)
    assert refused.value.code == "token_invalid"


def test_expired_tokens_are_refused(settings):
    token = make_token(7, "a" * 32)
    settings.PAPO = {**settings.PAPO, "VISITOR_TOKEN_MAX_AGE": 1}
    time.sleep(2.1)
    with pytest.raises(TokenError) as refused:
        read_token(token, 7)
    assert refused.value.code == "token_expired"


def test_user_hash_is_hmac_sha256_checked_in_constant_time():
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"user-1", hashlib.sha256).hexdigest()
    assert user_hash("s3cret", "user-1") == expected
    assert check_user_hash("s3cret", "user-1", expected)
    assert check_user_hash("s3cret", "user-1", expected.upper())
    assert not check_user_hash("s3cret", "user-2", expected)
    assert not check_user_hash("other", "user-1", expected)
    assert not check_user_hash("s3cret", "user-1", None)  # type: ignore[arg-type]
