"""A card's key names its ticket and chat within Feishu's 50 characters, and a click's key
tells its chat back; keys that are not ours tell nothing."""

from integration.outbound.keys import chat_digest, delivery_key, digest_of_key, repost_key

CHAT = "cidshuidianQ0DbfgYxJmlpw8e0m3Zs5g=="


def test_a_key_is_short_stable_and_tells_its_chat() -> None:
    key = delivery_key(123456789, "dingtalk", CHAT)
    assert len(key) <= 50 and key == delivery_key(123456789, "dingtalk", CHAT)
    assert digest_of_key(key) == chat_digest("dingtalk", CHAT)
    assert chat_digest("feishu", CHAT) != chat_digest("dingtalk", CHAT)


def test_a_fresh_cards_key_is_new_for_each_card_it_replaces_and_stable() -> None:
    first = delivery_key(123456789, "feishu", CHAT)
    second = repost_key(123456789, "feishu", CHAT, "om_first")
    third = repost_key(123456789, "feishu", CHAT, "om_second")
    assert len({first, second, third}) == 3 and all(len(k) <= 50 for k in (second, third))
    assert second == repost_key(123456789, "feishu", CHAT, "om_first")
    assert digest_of_key(second) == digest_of_key(third) == chat_digest("feishu", CHAT)


def test_keys_that_are_not_ours_tell_nothing() -> None:
    digest = chat_digest("dingtalk", CHAT)
    for key in ("", "card-1", f"bx-x1-{digest}", f"bx-1-{digest[:31]}", f"xx-1-{digest}"):
        assert digest_of_key(key) is None, key
