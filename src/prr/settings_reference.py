"""What each PRR_* setting means, for the README's Configuration table (`make docs`).

Names and defaults are the code's: `prr.docs_gen.settings_table` takes each default from the
call that reads the setting in `prr/settings.py` (where it is a literal), and
tests/test_docs.py fails when a setting the code reads is missing here, when one here is no
longer read, or when the README's table is older than this list. Only what the code cannot
say is written here: the meaning, and a default the code computes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Documented:
    names: tuple[str, ...]
    meaning: str  # Markdown
    default: str | None = None  # None: the literal default settings.py passes
    default_note: str = ""  # said after the code's default, e.g. " (off)"


SETTINGS: list[Documented] = [
    Documented(
        ("PRR_DATA_DIR",),
        "where the SQLite database and the generated secret key live",
        default="`~/.local/share/prr`",
    ),
    Documented(
        ("PRR_DATABASE_URL",),
        "`sqlite:///abs/path.sqlite3` or `postgres://user:password@host:5432/dbname`",
        default="`sqlite:///$PRR_DATA_DIR/prr.sqlite3`",
    ),
    Documented(
        ("PRR_SECRET_KEY",),
        "Django's secret key; `PRR_SECRET_KEY_FILE` reads it from a file",
        default="generated once into `$PRR_DATA_DIR/secret_key` (mode 0600)",
    ),
    Documented(
        ("PRR_DEBUG",), "Django debug pages; also shows CLI tracebacks. Never in production"
    ),
    Documented(("PRR_ALLOWED_HOSTS",), "comma-separated host names the server answers to"),
    Documented(
        ("PRR_BASE_URL",),
        (
            "the public URL (links, CSRF origin); with `https://`, cookies are secure and the"
            " proxy's `X-Forwarded-Proto` header is trusted"
        ),
    ),
    Documented(
        ("PRR_SQLITE_TIMEOUT",), "seconds a SQLite writer waits for a lock held by another process"
    ),
    Documented(("PRR_DB_CONN_MAX_AGE",), "seconds a PostgreSQL connection is reused"),
    Documented(("PRR_WEBHOOK_TIMEOUT",), "seconds a webhook receiver has to answer"),
    Documented(
        ("PRR_WEBHOOK_MAX_ATTEMPTS",),
        (
            "attempts in a round before a delivery is marked failed (then `prr webhook retry`"
            " starts a new round)"
        ),
    ),
    Documented(
        ("PRR_WEBHOOK_RETRY_DELAY",),
        "seconds before a delivery's second attempt; doubled after each failure",
    ),
    Documented(
        ("PRR_WEBHOOK_RETRY_MAX_DELAY",),
        ("the longest wait between two attempts of a delivery (a receiver's `Retry-After` too)"),
    ),
    Documented(
        ("PRR_CHAT_TIMEOUT",),
        "seconds Mattermost or Slack has to answer a chat post or a bot's API call",
    ),
    Documented(
        ("PRR_CHAT_MAX_ATTEMPTS",),
        (
            "attempts in a round before a chat post is marked failed (then `prr chat retry`);"
            " also the bot's attempts at opening a review's channel"
        ),
    ),
    Documented(
        ("PRR_CHAT_RETRY_DELAY",),
        "seconds before a chat post's second attempt; doubled after each failure",
    ),
    Documented(
        ("PRR_CHAT_RETRY_MAX_DELAY",),
        ("the longest wait between two attempts of a chat post (the chat's `Retry-After` too)"),
    ),
    Documented(
        ("PRR_OUTGOING_ALLOW_PRIVATE",),
        (
            "let webhooks, chat posts and chat API calls reach loopback, private, link-local,"
            " multicast and reserved addresses (refused by default, when a URL is saved and "
            "at each connection)"
        ),
    ),
    Documented(
        ("PRR_OUTGOING_ALLOW",),
        (
            "host names, addresses or networks allowed all the same, comma-separated "
            "(`mattermost.internal,10.20.0.0/16`)"
        ),
        default="empty",
    ),
    Documented(
        ("PRR_MATTERMOST_WEBHOOK_TOKENS",),
        (
            "token(s) of Mattermost outgoing webhooks, comma-separated (`_FILE` too); enables"
            " `/integrations/mattermost/messages`"
        ),
        default_note=" (off)",
    ),
    Documented(
        ("PRR_MATTERMOST_COMMAND_TOKENS",),
        (
            "token(s) of the Mattermost `/prr` slash command; enables "
            "`/integrations/mattermost/command`"
        ),
        default_note=" (off)",
    ),
    Documented(
        ("PRR_MATTERMOST_WEBHOOK_URL",),
        (
            "the default Mattermost incoming webhook for review news (a linked channel may "
            "have its own)"
        ),
    ),
    Documented(
        ("PRR_MATTERMOST_URL",),
        "the Mattermost server, for the optional bot that opens a channel per review",
    ),
    Documented(("PRR_MATTERMOST_BOT_TOKEN",), "the bot's access token (`_FILE` too)"),
    Documented(("PRR_MATTERMOST_TEAM_ID",), "the team the bot creates review channels in"),
    Documented(
        ("PRR_MATTERMOST_CHANNEL_TEMPLATE",),
        "the name of a review's channel (`prr-42-payments-api`)",
    ),
    Documented(
        ("PRR_CHAT_USERNAME_FALLBACK",),
        (
            "let an unlinked Mattermost or Slack account speak as the prr user of the same "
            "username (small teams); never for a user who linked an account on that chat. "
            "Off: only `prr user link` maps chat accounts"
        ),
    ),
    Documented(
        ("PRR_SLACK_SIGNING_SECRET",),
        (
            "the Slack app's signing secret(s), comma-separated (`_FILE` too); enables "
            "`/integrations/slack/…`"
        ),
        default_note=" (off)",
    ),
    Documented(
        ("PRR_SLACK_BOT_TOKEN",),
        (
            "the Slack bot token (`xoxb-…`, `_FILE` too): replies and review news go out with"
            " `chat.postMessage`"
        ),
    ),
    Documented(
        ("PRR_SLACK_NOTIFY_CHANNEL",),
        "a Slack channel id that hears the news of reviews with no Slack channel linked",
    ),
    Documented(("PRR_SLACK_API_URL",), "Slack's Web API (change it only to test against a fake)"),
    Documented(
        ("PRR_LDAP_URL",),
        (
            "the LDAP or Active Directory server, `ldap://host[:port]` or "
            "`ldaps://host[:port]`, whose groups keep the teams linked with `--source ldap` "
            "([docs/identity.md](docs/identity.md))"
        ),
        default="empty (off)",
    ),
    Documented(
        ("PRR_LDAP_BIND_DN",),
        "the account prr binds as to read groups and people",
        default="empty (anonymous)",
    ),
    Documented(("PRR_LDAP_BIND_PASSWORD",), "its password (`_FILE` too); required with a bind DN"),
    Documented(
        ("PRR_LDAP_USER_BASE_DN",),
        ("where people are (`ou=people,dc=example,dc=com`); members outside it are skipped"),
        default="empty",
    ),
    Documented(
        ("PRR_LDAP_GROUP_BASE_DN",),
        (
            "where a group linked by name (its `cn`) is looked up; a group linked by DN can "
            "be anywhere"
        ),
        default="empty",
    ),
    Documented(
        ("PRR_LDAP_GROUP_FILTER",),
        "what counts as a group",
        default="`(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))`",
    ),
    Documented(
        ("PRR_LDAP_USERNAME_ATTRIBUTE",),
        ("the attribute that is the prr username (in lower case); `sAMAccountName` for AD"),
    ),
    Documented(
        ("PRR_LDAP_NESTED_GROUPS",),
        "follow member groups recursively (AD's nested groups), each once",
    ),
    Documented(("PRR_LDAP_START_TLS",), "upgrade an `ldap://` connection with StartTLS"),
    Documented(
        ("PRR_LDAP_CA_FILE",),
        (
            "a PEM file of the authorities that sign the server's certificate (the "
            "certificate is always checked)"
        ),
        default="the system's authorities",
    ),
    Documented(
        ("PRR_LDAP_SYNC_INTERVAL",),
        (
            "seconds between two syncs by `prr worker` (one host at a time, whatever the "
            "number of workers)"
        ),
    ),
    Documented(
        ("PRR_OIDC_ISSUER",),
        (
            "the OpenID Connect provider's issuer URL (`https://…`); endpoints and keys come "
            "from its `/.well-known/openid-configuration` "
            "([docs/identity.md](docs/identity.md))"
        ),
        default="empty (off)",
    ),
    Documented(
        ("PRR_OIDC_CLIENT_ID",),
        (
            "prr's client id at the provider; register `$PRR_BASE_URL/oidc/callback/` as its "
            "redirect URI"
        ),
    ),
    Documented(("PRR_OIDC_CLIENT_SECRET",), "its client secret (`_FILE` too)"),
    Documented(("PRR_OIDC_NAME",), 'the sign-in button reads "Sign in with …"'),
    Documented(
        ("PRR_OIDC_SCOPES",),
        ("scopes asked for; add `groups` where the provider gives groups by scope (Okta, Dex)"),
    ),
    Documented(
        ("PRR_OIDC_USERNAME_CLAIM",),
        (
            "the claim whose value, in lower case, is the prr username an existing user is "
            "matched by"
        ),
    ),
    Documented(
        ("PRR_OIDC_USERNAME_DOMAIN",),
        (
            "a domain dropped from an email-shaped username (`dana@example.com` is `dana`); "
            "other domains are refused"
        ),
        default="empty",
    ),
    Documented(
        ("PRR_OIDC_NAME_CLAIM",),
        "the claim copied to the display name at each sign-in (empty: not copied)",
    ),
    Documented(
        ("PRR_OIDC_EMAIL_CLAIM",),
        "the claim copied to the email at each sign-in (empty: not copied)",
    ),
    Documented(
        ("PRR_OIDC_GROUPS_CLAIM",),
        (
            "the claim whose groups keep the teams linked with `--source oidc` at each "
            "sign-in (empty: off)"
        ),
    ),
    Documented(("PRR_OIDC_TIMEOUT",), "seconds the provider has to answer"),
    Documented(
        ("PRR_PASSWORD_LOGIN",),
        (
            "`false`: passwords sign in only the break-glass accounts (needs "
            "`PRR_OIDC_ISSUER`); API tokens keep working"
        ),
    ),
    Documented(
        ("PRR_BREAK_GLASS_USERS",),
        (
            "comma-separated usernames that may sign in with a password when "
            "`PRR_PASSWORD_LOGIN=false` (being an admin is not enough); single sign-on never "
            "signs in as them"
        ),
        default="empty",
    ),
    Documented(
        ("PRR_LOGIN_FAILURE_LIMIT",),
        (
            "wrong passwords for one account (from anywhere) before its password sign-in is "
            "refused for a while (HTTP 429); `prr user unlock` lifts it "
            "([docs/operations.md](docs/operations.md#sign-in-throttling))"
        ),
    ),
    Documented(
        ("PRR_LOGIN_IP_FAILURE_LIMIT",),
        (
            "wrong passwords from one client address (for any usernames) before it is refused"
            " the same way"
        ),
    ),
    Documented(
        ("PRR_LOGIN_COOLOFF_MINUTES",),
        "how long failures count and a lock lasts, from the last failure",
    ),
    Documented(
        ("PRR_TRUSTED_PROXIES",),
        (
            "addresses or networks of the reverse proxies in front of prr (`127.0.0.1,::1`): "
            "only from them is `X-Forwarded-For` believed for the client's address; otherwise"
            " it is `REMOTE_ADDR`"
        ),
        default="empty",
    ),
    Documented(
        ("PRR_HSTS_SECONDS",),
        "how long browsers must come back over https only (`Strict-Transport-Security`)",
        default="a year with an `https://` base URL, else `0`",
    ),
    Documented(
        ("PRR_SSL_REDIRECT",), "redirect http to https in prr itself (normally the TLS proxy does)"
    ),
    Documented(
        ("PRR_READY_WORKER_WINDOW",),
        "seconds: `/readyz` answers 503 when no `prr worker` was seen for this long",
    ),
    Documented(
        ("PRR_MAX_BODY_BYTES",), "largest request body accepted (the API answers 413 above it)"
    ),
    Documented(
        ("PRR_METRICS_TOKEN",),
        (
            "the bearer token Prometheus sends for `/metrics` (`_FILE` too); set, it is "
            "needed from any address ([docs/monitoring.md](docs/monitoring.md))"
        ),
    ),
    Documented(
        ("PRR_METRICS_ALLOW",),
        (
            "without a token: addresses or networks that may read `/metrics` (`none`: no "
            "network); others get a 404"
        ),
        default="`127.0.0.1/32,::1/128`",
    ),
    Documented(
        ("PRR_METRICS_DIR",),
        (
            "where each process on the host keeps its counters for `/metrics` "
            "(prometheus-client's multiprocess mode)"
        ),
        default="`$PRR_DATA_DIR/metrics`",
    ),
    Documented(
        ("PRR_LOG_FORMAT",),
        (
            "`json`: one JSON object a line, one line per request with its `request_id` (from"
            " `X-Request-ID` or made), the id carried into the tasks the request queued"
        ),
    ),
    Documented(
        ("PRR_PRUNE_AFTER_DAYS",),
        (
            "finished task results, delivered webhooks and sent chat posts older than this "
            "are deleted by `prr worker` (hourly) and `prr prune`"
        ),
    ),
    Documented(
        ("PRR_SMTP_HOST",),
        (
            "the SMTP server prr sends notification emails through (`prr worker` sends them, "
            "with retries); without it the inbox still works "
            "([docs/notifications.md](docs/notifications.md))"
        ),
        default_note=" (no email)",
    ),
    Documented(("PRR_SMTP_PORT",), "its port", default="`587`, `465` with `ssl`, `25` with `none`"),
    Documented(
        ("PRR_SMTP_TLS",),
        "`starttls`, `ssl` (TLS from the start) or `none` (a relay on the host or LAN)",
    ),
    Documented(
        ("PRR_SMTP_USER", "PRR_SMTP_PASSWORD"),
        "SMTP authentication (`PRR_SMTP_PASSWORD_FILE` too)",
        default="empty",
    ),
    Documented(("PRR_EMAIL_FROM",), "the sender of prr's emails", default="`prr <prr@localhost>`"),
    Documented(
        ("PRR_SMTP_TIMEOUT",), "seconds the SMTP server has for each step of sending an email"
    ),
    Documented(
        ("PRR_EMAIL_MAX_ATTEMPTS",),
        "attempts before an email is marked failed (a 5xx refusal fails it at once)",
    ),
    Documented(
        ("PRR_EMAIL_RETRY_DELAY",),
        "seconds before an email's second attempt; doubled after each failure",
    ),
    Documented(("PRR_EMAIL_RETRY_MAX_DELAY",), "the longest wait between two attempts of an email"),
    Documented(
        ("PRR_REMINDER_INTERVAL",),
        (
            "seconds between a worker's looks for due reminders and daily digests (each is "
            "sent at most once a day, by one worker)"
        ),
    ),
]
