"""The WeCom API paths the simulator serves, with the method and token each needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wecom_simulator import api_contacts, api_media, api_message, api_oa, api_token, api_webhook
from wecom_simulator.http_types import Request
from wecom_simulator.state import IssuedToken

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

Handler = Callable[["WeComSimulator", Request, "IssuedToken | None", float], dict[str, Any]]

# Token scopes: "none" (no access_token), "app" (the app secret's token only),
# "contacts" (the contacts-sync secret's token only), "directory" (either).
NONE, APP, CONTACTS, DIRECTORY = "none", "app", "contacts", "directory"


@dataclass(frozen=True)
class Route:
    method: str
    scope: str
    handler: Handler


ROUTES: dict[str, Route] = {
    "/cgi-bin/gettoken": Route("GET", NONE, api_token.gettoken),
    "/cgi-bin/message/send": Route("POST", APP, api_message.send),
    "/cgi-bin/message/update_template_card": Route("POST", APP, api_message.update_template_card),
    "/cgi-bin/message/recall": Route("POST", APP, api_message.recall),
    "/cgi-bin/media/upload": Route("POST", APP, api_media.upload),
    "/cgi-bin/department/list": Route("GET", DIRECTORY, api_contacts.department_list),
    "/cgi-bin/department/simplelist": Route("GET", DIRECTORY, api_contacts.department_simplelist),
    "/cgi-bin/user/get": Route("GET", DIRECTORY, api_contacts.user_get),
    "/cgi-bin/tag/get": Route("GET", DIRECTORY, api_contacts.tag_get),
    "/cgi-bin/user/list": Route("GET", DIRECTORY, api_contacts.user_list),
    "/cgi-bin/user/simplelist": Route("GET", DIRECTORY, api_contacts.user_simplelist),
    "/cgi-bin/user/list_id": Route("POST", CONTACTS, api_contacts.user_list_id),
    "/cgi-bin/user/update": Route("POST", CONTACTS, api_contacts.user_update),
    "/cgi-bin/meeting/get_info": Route("POST", APP, api_oa.meeting_get_info),
    "/cgi-bin/meeting/get_user_meetingid": Route("POST", APP, api_oa.get_user_meetingid),
    "/cgi-bin/checkin/getcheckindata": Route("POST", APP, api_oa.getcheckindata),
    "/cgi-bin/webhook/send": Route("POST", NONE, api_webhook.send),
    "/cgi-bin/webhook/upload_media": Route("POST", NONE, api_webhook.upload_media),
}
