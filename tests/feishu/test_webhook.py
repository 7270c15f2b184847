"""Card clicks by request URL: Feishu's signed, encrypted callbacks, and what is refused."""

import asyncio
import base64
import json
import os
import time

from tests.fakes.feishu_callbacks import (
    ENCRYPT_KEY,
    VERIFICATION_TOKEN,
    card_action,
    encrypt,
    signed_request,
    url_verification,
)
from tests.feishu.company import DISPATCH, SHUIDIAN, STRANGER, TECHNICIANS, TUJIAN, Company, open_id
from tests.office import technician
from tests.waiting import eventually
from tickets.actions import Verb


async def test_saving_the_request_url_is_answered_with_the_challenge(company: Company) -> None:
    payload = url_verification(VERIFICATION_TOKEN, "ajls384kdjx98XX")
    status, answer = await company.post_callback(
        *signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN)
    )
    assert (status, answer) == (200, {"challenge": "ajls384kdjx98XX"})


async def test_a_claim_click_answers_with_a_toast_and_the_fresh_card(company: Company) -> None:
    number = await company.report()
    card = await company.card_in(SHUIDIAN, number)
    assert "接单" in json.dumps(card, ensure_ascii=False)
    answer = await company.click("t01", number, Verb.CLAIM, 1)
    assert answer["toast"] == {"type": "success", "content": "接单成功，请尽快联系业主"}
    assert answer["card"]["type"] == "raw"
    fresh = json.dumps(answer["card"]["data"], ensure_ascii=False)
    assert "师傅01" in fresh and "已接单" in fresh
    assert (await company.ticket(number))["assignee"]["id"] == "t01"
    message = company.fake.messages(SHUIDIAN)[0]
    await eventually(lambda: "已接单" in json.dumps(message.card, ensure_ascii=False))
    assert len(company.fake.messages(SHUIDIAN)) == 1  # the same card, patched


async def test_a_repeated_delivery_takes_effect_once_and_gets_the_current_card(
    company: Company,
) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    first = await company.click("t01", number, Verb.CLAIM, 1, event_id="ev-claim-1")
    again = await company.click("t01", number, Verb.CLAIM, 1, event_id="ev-claim-1")
    assert first["toast"]["type"] == "success"
    assert "已接单" in json.dumps(again["card"]["data"], ensure_ascii=False)
    events = [e["kind"] for e in (await company.ticket(number))["events"]]
    assert events.count("claim") == 1


async def test_twenty_technicians_racing_get_one_winner(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    answers = await asyncio.gather(
        *(company.click(technician(i), number, Verb.CLAIM, 1) for i in range(1, TECHNICIANS + 1))
    )
    winners = [a for a in answers if a["toast"]["type"] == "success"]
    losers = [a for a in answers if a["toast"]["type"] == "error"]
    assert len(winners) == 1 and len(losers) == TECHNICIANS - 1
    assignee = (await company.ticket(number))["assignee"]
    for loser in losers:
        assert f"已被{assignee['name']}接走" in loser["toast"]["content"]
        assert "已接单" in json.dumps(loser["card"]["data"], ensure_ascii=False)


async def test_forms_fill_the_command(company: Company) -> None:
    number = await company.report(category="门窗", description="单元门闭门器坏了")
    await company.card_in(TUJIAN, number)
    answer = await company.click(
        "chen", number, Verb.DISPATCH, 1, form={"to": "zhang"}, chat=TUJIAN
    )
    assert answer["toast"] == {"type": "success", "content": "已派给张师傅"}
    await company.click("zhang", number, Verb.START, 2, chat=TUJIAN)
    answer = await company.click(
        "zhang", number, Verb.PAUSE, 3, form={"reason": "等配件：闭门器"}, chat=TUJIAN
    )
    assert answer["toast"]["content"] == "已暂停"
    ticket = await company.ticket(number)
    assert ticket["status"] == "paused"
    assert ticket["events"][-1]["details"]["reason"] == "等配件：闭门器"
    answer = await company.click("zhang", number, Verb.PAUSE, 4, form={"reason": ""}, chat=TUJIAN)
    assert answer["toast"] == {"type": "error", "content": answer["toast"]["content"]}


async def test_strangers_and_the_unpermitted_change_nothing(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    answer = await company.click("t01", number, Verb.CLAIM, 1, operator=STRANGER)
    assert answer["toast"]["type"] == "error"
    assert "不是本物业" in answer["toast"]["content"]
    answer = await company.click("zhang", number, Verb.CLAIM, 1)
    assert answer["toast"]["type"] == "error" and "水电组" in answer["toast"]["content"]
    ticket = await company.ticket(number)
    assert ticket["status"] == "new" and ticket["version"] == 1


async def test_forged_stale_and_mistokened_callbacks_are_refused(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    payload = company.click_payload("t01", number, Verb.CLAIM, 1)

    headers, body = signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN)
    forged = {**headers, "X-Lark-Signature": "0" * 64}
    assert (await company.post_callback(forged, body))[0] == 401

    signed_by_another = signed_request(payload, "not-our-encrypt-key", VERIFICATION_TOKEN)
    assert (await company.post_callback(*signed_by_another))[0] == 401

    stale = signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN, int(time.time()) - 301)
    assert (await company.post_callback(*stale))[0] == 401

    wrong_token = signed_request(payload, ENCRYPT_KEY, "not-our-verification-token")
    assert (await company.post_callback(*wrong_token))[0] == 401

    plain = signed_request(payload, None, VERIFICATION_TOKEN)
    assert (await company.post_callback(*plain))[0] == 401

    garbage = {**headers}
    assert (await company.post_callback(garbage, b"{not json"))[0] == 401

    assert (await company.ticket(number))["status"] == "new"


async def test_a_replayed_request_within_the_window_takes_effect_once(company: Company) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    payload = company.click_payload("t01", number, Verb.CLAIM, 1)
    request = signed_request(payload, ENCRYPT_KEY, VERIFICATION_TOKEN)
    first = await company.post_callback(*request)
    replay = await company.post_callback(*request)
    assert first[0] == replay[0] == 200
    assert first[1]["toast"]["type"] == "success"
    ticket = await company.ticket(number)
    assert [e["kind"] for e in ticket["events"]].count("claim") == 1 and ticket["version"] == 2


async def test_transfer_and_cancel_forms_as_the_card_names_their_fields(
    company: Company,
) -> None:
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await company.click("t01", number, Verb.CLAIM, 1)
    private = json.dumps(await company.card_in(open_id("t01"), number), ensure_ascii=False)
    assert '"name": "transfer_to"' in private and "师傅02" in private
    answer = await company.click(
        "t01", number, Verb.TRANSFER, 2, form={"to": "t02"}, chat=open_id("t01")
    )
    assert answer["toast"] == {"type": "success", "content": "已转给师傅02"}
    assert (await company.ticket(number))["assignee"]["id"] == "t02"
    answer = await company.click(
        "chen", number, Verb.CANCEL, 3, form={"reason": "业主已自行修好"}, chat=DISPATCH
    )
    assert answer["toast"] == {"type": "success", "content": "已取消"}
    ticket = await company.ticket(number)
    assert ticket["status"] == "cancelled"
    assert ticket["events"][-1]["details"]["reason"] == "业主已自行修好"


async def test_every_bad_encrypted_body_gets_the_same_refusal(company: Company) -> None:
    """No padding oracle: an answer that differs between bad padding and bad plaintext lets
    an attacker decrypt without the key. The signature is checked before decryption."""
    garbage = {"encrypt": base64.b64encode(os.urandom(48)).decode()}  # padding rarely valid
    not_json = encrypt(b"\x80 not json", ENCRYPT_KEY)
    unsigned_click = encrypt(
        card_action({"n": "BX20261201-0001", "v": "claim", "r": 1}), ENCRYPT_KEY
    )
    answers = set()
    for body in (garbage, not_json, unsigned_click):
        raw = json.dumps(body).encode()
        for headers in (
            {},
            {
                "X-Lark-Request-Timestamp": str(int(time.time())),
                "X-Lark-Request-Nonce": "1",
                "X-Lark-Signature": "0" * 64,
            },
        ):
            status, answer = await company.post_callback(headers, raw)
            answers.add((status, json.dumps(answer)))
    assert answers == {(401, json.dumps({"msg": "rejected"}))}


async def test_a_reason_typed_on_a_card_holds_no_control_character(company: Company) -> None:
    """What is typed on a card is held to the API's rule: a NUL made a 500 on PostgreSQL."""
    number = await company.report()
    await company.card_in(SHUIDIAN, number)
    await company.click("t01", number, Verb.CLAIM, 1)
    await company.click("t01", number, Verb.START, 2)
    for reason in ["等\x00配件", "等配件\x1b[2J", "等\u202e配件"]:
        answer = await company.click("t01", number, Verb.PAUSE, 3, form={"reason": reason})
        assert answer["toast"]["type"] == "error"
        assert "原因含有不可见的控制字符" in answer["toast"]["content"]
    assert (await company.ticket(number))["status"] == "in_progress"
