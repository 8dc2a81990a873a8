import pytest
from django.core.exceptions import ValidationError

from cases.masking import mask_id_number, mask_phone
from cases.normalize import guess_kind, normalize_indicator, validate_id_number


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000", "86 13800138000"])
def test_phone_written_many_ways_is_one_e164_value(raw):
    assert normalize_indicator("phone", raw).value == "+8613800138000"


@pytest.mark.parametrize("raw", ["6222021234567890123", "6222 0212 3456 7890 123", "6222-0212-3456-7890-123"])
def test_card_number_written_many_ways_is_digits(raw):
    assert normalize_indicator("account", raw).value == "6222021234567890123"


@pytest.mark.parametrize("raw", ["https://www.Evil-Shop.com.cn/login/", "evil-shop.com.cn/login", "HTTP://evil-shop.com.cn:80/login#x"])
def test_url_canonical_form_and_registrable_domain(raw):
    item = normalize_indicator("url", raw)
    assert item.value.startswith("evil-shop.com.cn")
    assert item.registrable_domain == "evil-shop.com.cn"


def test_subdomain_registrable_domain_uses_public_suffix_offline():
    assert normalize_indicator("url", "pay.secure.example.co.uk").registrable_domain == "example.co.uk"


def test_bad_inputs_raise_translatable_validation_errors():
    for kind, raw in [("phone", "abc"), ("account", "12ab"), ("url", "not a url"), ("ip", "999.1.1.1"), ("nope", "x")]:
        with pytest.raises(ValidationError):
            normalize_indicator(kind, raw)


def test_id_checksum_valid_and_invalid():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError):
        validate_id_number("110105194912310021")
    with pytest.raises(ValidationError):
        validate_id_number("1101051949")


def test_guess_kind_for_lookup_box():
    assert guess_kind("138 0013 8000") == "phone"
    assert guess_kind("6222 0212 3456 7890 123") == "account"
    assert guess_kind("https://x.example.com/a") == "url"
    assert guess_kind("10.1.2.3") == "ip"


def test_masking_keeps_only_edges():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("+8613800138000") == "+86 138****8000"
    assert mask_phone("13800138000") == "138****8000"
