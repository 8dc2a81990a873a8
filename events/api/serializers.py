from rest_framework import serializers


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    case = serializers.IntegerField(source="case_id_ref", allow_null=True)
    at = serializers.DateTimeField(source="created_at")
    payload = serializers.JSONField()


class EventPageSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    last_id = serializers.IntegerField(help_text="Pass as ?since= on the next poll.")
    more = serializers.BooleanField(help_text="True when the limit cut the page short: poll again at once.")
