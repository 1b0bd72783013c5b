"""The gateway driven by the official anthropic and openai SDKs, as its users will call it."""
import time
import urllib.error
import urllib.request

import anthropic
import openai
import pytest

from conftest import eventually


def a_client(servers, key, retries=0):
    return anthropic.Anthropic(api_key=key, base_url=servers.base_url, max_retries=retries, timeout=20)


def o_client(servers, key, retries=0):
    return openai.OpenAI(api_key=key, base_url=servers.base_url + "/v1", max_retries=retries, timeout=20)


MESSAGES = [{"role": "user", "content": "tell me about the weather"}]


def test_anthropic_messages(servers):
    key = servers.create_key("py_card_a", "card")["secret"]
    message = a_client(servers, key).messages.create(model="stub-large", max_tokens=50, messages=MESSAGES)
    assert message.content[0].type == "text"
    assert len(message.content[0].text.split()) == message.usage.output_tokens
    assert message.usage.input_tokens == 5


def test_anthropic_stream(servers):
    key = servers.create_key("py_card_b", "card")["secret"]
    with a_client(servers, key).messages.stream(model="stub-large", max_tokens=50, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and text == final.content[0].text
    assert final.usage.output_tokens == len(text.split())
    # A stream's record is committed after its last event has gone to the client: wait for it.
    eventually(lambda: servers.admin("GET", "/admin/usage?account_id=py_card_b")["events"], "the stream's record")
    usage = servers.admin("GET", "/admin/usage?account_id=py_card_b")["events"]
    assert usage[0]["stream"] is True
    assert usage[0]["output_tokens"] == final.usage.output_tokens


def test_openai_chat_and_stream(servers):
    key = servers.create_key("py_card_c", "card")["secret"]
    client = o_client(servers, key)
    completion = client.chat.completions.create(model="stub-large", messages=MESSAGES, max_tokens=40)
    assert completion.choices[0].message.content
    assert completion.usage.completion_tokens == len(completion.choices[0].message.content.split())
    chunks = list(client.chat.completions.create(model="stub-large", messages=MESSAGES, max_tokens=40, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text and len(text.split()) <= 40
    with_usage = list(client.chat.completions.create(
        model="stub-large", messages=MESSAGES, max_tokens=40, stream=True, stream_options={"include_usage": True}))
    usage_text = "".join(c.choices[0].delta.content or "" for c in with_usage if c.choices)
    assert with_usage[-1].usage.completion_tokens == len(usage_text.split())
    assert all(c.usage is None for c in chunks)


def test_models_list_is_narrowed_by_tier(servers):
    free = servers.create_key("py_free_models", "free")["secret"]
    card = servers.create_key("py_card_models", "card")["secret"]
    assert [m.id for m in o_client(servers, free).models.list()] == ["stub-small"]
    assert "stub-large" in [m.id for m in o_client(servers, card).models.list()]


def test_wrong_key_is_authentication_error(servers):
    with pytest.raises(anthropic.AuthenticationError):
        a_client(servers, "hg_key_nothing_here").messages.create(model="stub-small", max_tokens=5, messages=MESSAGES)
    with pytest.raises(openai.AuthenticationError):
        o_client(servers, "sk-wrong").chat.completions.create(model="stub-small", messages=MESSAGES)


def test_rate_limit_is_reported_with_retry_after(servers):
    key = servers.create_key("py_free_rl", "free")["secret"]
    client = a_client(servers, key)
    for _ in range(2):
        client.messages.create(model="stub-small", max_tokens=5, messages=MESSAGES)
    with pytest.raises(anthropic.RateLimitError) as error:
        client.messages.create(model="stub-small", max_tokens=5, messages=MESSAGES)
    assert int(error.value.response.headers["retry-after"]) == 30
    assert error.value.response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    with pytest.raises(openai.RateLimitError) as error:
        o_client(servers, key).chat.completions.create(model="stub-small", messages=MESSAGES)
    assert error.value.response.headers["x-ratelimit-remaining-requests"] == "0"


def test_sdk_retry_honours_retry_after(servers):
    key = servers.create_key("py_email_retry", "email")["secret"]
    quick = a_client(servers, key)
    for _ in range(60):
        quick.messages.create(model="stub-small", max_tokens=2, messages=MESSAGES)
    started = time.monotonic()
    message = a_client(servers, key, retries=2).messages.create(model="stub-small", max_tokens=2, messages=MESSAGES)
    waited = time.monotonic() - started
    assert message.content
    assert 0.8 <= waited < 10, waited


def test_tier_refuses_models_and_reasoning(servers):
    key = servers.create_key("py_free_tier", "free")["secret"]
    with pytest.raises(anthropic.PermissionDeniedError) as error:
        a_client(servers, key).messages.create(model="stub-large", max_tokens=5, messages=MESSAGES)
    assert "not available to free-tier" in str(error.value)


def test_challenge_and_block_verdicts(servers):
    key = servers.create_key("py_card_verdict", "card")["secret"]
    servers.admin("PUT", "/admin/verdicts/py_card_verdict", {"verdict": "challenge", "reason": "test"})
    with pytest.raises(anthropic.PermissionDeniedError) as error:
        a_client(servers, key).messages.create(model="stub-small", max_tokens=5, messages=MESSAGES)
    assert "verification required" in str(error.value)
    servers.admin("PUT", "/admin/verdicts/py_card_verdict", {"verdict": "block"})
    with pytest.raises(openai.PermissionDeniedError):
        o_client(servers, key).chat.completions.create(model="stub-small", messages=MESSAGES)
    servers.admin("PUT", "/admin/verdicts/py_card_verdict", {"verdict": "allow"})
    assert a_client(servers, key).messages.create(model="stub-small", max_tokens=5, messages=MESSAGES).content


def test_degrade_withholds_reasoning_and_caps_output(servers):
    key = servers.create_key("py_card_degrade", "card")["secret"]
    client = a_client(servers, key)
    thinking = {"type": "enabled", "budget_tokens": 1024}
    normal = client.messages.create(model="stub-reasoner", max_tokens=2000, thinking=thinking, messages=MESSAGES)
    assert normal.content[0].type == "thinking"
    servers.admin("PUT", "/admin/verdicts/py_card_degrade", {"verdict": "degrade"})
    degraded = client.messages.create(model="stub-reasoner", max_tokens=2000, thinking=thinking, messages=MESSAGES)
    assert all(block.type != "thinking" for block in degraded.content)
    assert degraded.usage.output_tokens <= 4


def test_admin_keys_rotation(servers):
    servers.admin("POST", "/admin/accounts", {"id": "py_admin", "tier": "card"})
    created = servers.admin("POST", "/admin/keys", {"account_id": "py_admin"})
    client = a_client(servers, created["secret"])
    assert client.messages.create(model="stub-small", max_tokens=3, messages=MESSAGES).content
    rotated = servers.admin("POST", f"/admin/keys/{created['id']}/rotate")
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(model="stub-small", max_tokens=3, messages=MESSAGES)
    assert a_client(servers, rotated["secret"]).messages.create(model="stub-small", max_tokens=3, messages=MESSAGES)
    history = servers.admin("GET", f"/admin/keys/{created['id']}/history")["history"]
    assert [h["action"] for h in history] == ["created", "rotated"]
    assert history[-1]["replaced_by"] == rotated["id"]
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"http://127.0.0.1:{servers.admin_port}/admin/accounts", timeout=5)
    assert error.value.code == 401


def test_a_stream_the_upstream_stops_raises_in_both_sdks(stalling_servers):
    key = stalling_servers.create_key("acct_stalled", "card")["secret"]
    started = time.time()
    with pytest.raises(anthropic.APIError) as raised:
        with a_client(stalling_servers, key).messages.stream(
            model="stub-small", max_tokens=20, messages=[{"role": "user", "content": "hello"}]
        ) as stream:
            for _ in stream:
                pass
    assert "stopped answering mid-stream" in str(raised.value)
    with pytest.raises(openai.APIError) as raised:
        for _ in o_client(stalling_servers, key).chat.completions.create(
            model="stub-small", stream=True, messages=[{"role": "user", "content": "hello"}]
        ):
            pass
    assert "stopped answering mid-stream" in str(raised.value)
    # Cut at the gateway's timeout, not after the stub's 1.5 s pauses (a dozen of them per answer).
    assert time.time() - started < 5
