"""core.api.serializers.InputSerializer: each instance gets its own bound copies of the
declared fields (shallow ones), and validates exactly as a plain DRF Serializer does."""

from rest_framework import serializers

from core.api.serializers import InputSerializer


class Item(InputSerializer):
    name = serializers.CharField(max_length=5)


class Form(InputSerializer):
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    title = serializers.CharField(max_length=5, required=False)
    count = serializers.IntegerField(min_value=1, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    items = Item(many=True, required=False)


class PlainForm(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    title = serializers.CharField(max_length=5, required=False)
    count = serializers.IntegerField(min_value=1, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    items = Item(many=True, required=False)


BAD = {"kind": "c", "title": "too long", "count": 0, "tags": ["abcd"], "items": [{"name": "toolong"}]}
GOOD = {"kind": "a", "title": "ok", "count": 2, "tags": ["x"], "items": [{"name": "n"}]}


def test_answers_are_a_plain_serializers_field_by_field():
    for data in (BAD, GOOD, {}):
        ours, plain = Form(data=data), PlainForm(data=data)
        assert ours.is_valid() == plain.is_valid()
        assert ours.errors == plain.errors
        if not plain.errors:
            assert ours.validated_data == plain.validated_data
    bad = Form(data=BAD)
    assert not bad.is_valid() and set(bad.errors) == {"kind", "title", "count", "tags", "items"}


def test_each_instance_binds_its_own_fields_and_the_declared_ones_stay_unbound():
    first, second = Form(data=GOOD, context={"n": 1}), Form(data=GOOD, context={"n": 2})
    for name in ("kind", "title", "count", "tags", "items"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
        assert first.fields[name].context == {"n": 1} and second.fields[name].context == {"n": 2}
        assert Form._declared_fields[name].parent is None
    # A list's child is bound to its own list field, not to the declared one.
    assert first.fields["tags"].child.parent is first.fields["tags"]
    assert first.is_valid() and second.is_valid()
    # A validator an __init__ adds stays with its own instance.
    first.fields["title"].validators.append(lambda value: None)
    assert len(second.fields["title"].validators) == len(Form._declared_fields["title"].validators) == \
        len(first.fields["title"].validators) - 1
