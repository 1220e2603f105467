//! What to change in Confluence (or in front of it) when a facet is missing: the real settings,
//! Tomcat AccessLogValve pattern codes and Confluence's audit coverage areas and levels, as the
//! Tomcat and Atlassian documentation name them (docs/cli.md cites the pages).

/// The pattern wikiwatch's `confluence-access` format reads with the real client in front.
pub const PATTERN_WITH_CLIENT: &str =
    "%{X-Forwarded-For}i %t %{X-AUSERNAME}o %I %h %r %s %Dms %b %{Referer}i %{User-Agent}i";

pub const USER_MISSING: &str = "No event names a user. Data Center: Confluence's access log \
     pattern carries the user as %{X-AUSERNAME}o (the default pattern is `%t %{X-AUSERNAME}o %I \
     %h %r %s %Dms %b %{Referer}i %{User-Agent}i`); put it back in server.xml. A proxy log names \
     the user only if the proxy logs Confluence's X-AUSERNAME response header (nginx: \
     $upstream_http_x_ausername in place of $remote_user).";

pub const USER_FEW: &str = "Most events have no user. A site with public spaces is read \
     anonymously; otherwise check that every node's AccessLogValve pattern has \
     %{X-AUSERNAME}o and that the proxy log takes the user from Confluence's X-AUSERNAME \
     response header.";

pub const USER_IS_ADDRESS: &str = "Some user fields hold client addresses: the \
     %{X-Forwarded-For}i field sits after %t (as in Atlassian's knowledge-base example). \
     wikiwatch reads whatever precedes the time as X-Forwarded-For; use the pattern `";

pub const ADDRESS_MISSING: &str = "No access event has a client address. Keep %h (or %a) in \
     the AccessLogValve pattern; behind a proxy, log the client with %{X-Forwarded-For}i before \
     %t: `";

pub const ADDRESS_PROXY: &str = "The log shows the proxy, not the client. Put \
     %{X-Forwarded-For}i first in the AccessLogValve pattern (wikiwatch reads the first address \
     of the field before the time as the client): `";

pub const ADDRESS_PROXY_TAIL: &str = "`. Or let Tomcat's RemoteIpValve set the client address \
     and add requestAttributesEnabled=\"true\" to the AccessLogValve, so %h and %a log it. \
     nginx or Apache in front: log the client address ($remote_addr with the realip module, \
     or %a), not the hop before Confluence.";

pub const ADDRESS_SHARED: &str = "One address carries most traffic for many accounts: a NAT, \
     VPN egress or a proxy for part of the traffic. If it is a proxy, log %{X-Forwarded-For}i \
     before %t: `";

pub const AGENT_MISSING: &str = "No access event has a User-Agent: every request looks like \
     an empty agent, which the rules count as programmatic. Keep %{User-Agent}i at the end of \
     the AccessLogValve pattern (it is in Confluence's default pattern); nginx: \
     \"$http_user_agent\" (the combined format has it).";

pub const AGENT_FEW: &str = "Many access events have no User-Agent. If the clients send one, \
     the pattern of some node or proxy lacks %{User-Agent}i.";

pub const SESSION_MISSING: &str = "No session. Confluence's access log pattern has no session \
     field, and wikiwatch reads sessions from JSON records (`session.id` through the `decode` \
     field map). Data Center: log the session cookie with %{JSESSIONID}c in a JSON \
     AccessLogValve pattern read with --format json (docs/cli.md has one), or run the proxy \
     module, which hashes the JSESSIONID cookie itself.";

pub const PAGE_VIEWS_MISSING: &str = "No page view. The access log records every request, so \
     either nobody read a page in this span or the inputs are not Confluence's access log \
     (Data Center: conf_access_log<date>.log, on by default since Confluence 7.11).";

pub const API_MISSING: &str = "No REST API read. Scripted scraping reads /rest/api/content: \
     check that the log has every node and that REST calls are not logged elsewhere (a \
     separate API gateway or proxy log: give it as another input).";

pub const SEARCH_MISSING: &str = "No search. Searches are requests to /dosearchsite.action and \
     /rest/api/search in the access log; Data Center audit records searches only in the \
     \"End user activity\" coverage area.";

pub const DOWNLOAD_MISSING: &str = "No attachment download (/download/attachments/...). \
     Check that the access log is not filtered and that downloads are not served by a CDN or \
     proxy whose log is not given.";

pub const EXPORT_MISSING: &str = "No page or space export. In the access log, page exports are \
     requests to /spaces/flyingpdf/pdfpageexport.action or /exportword and space exports to \
     /spaces/exportspacexml.action or /spaces/doexportspace.action; space exports are also audit \
     records (Data Center and Cloud audit logs). Give the audit log as another input \
     (audit:FILE), or confirm nobody exported in this span.";

pub const EXPORT_SOME: &str = "Only one kind of export seen. Space exports are audit records in \
     both Data Center and Cloud: give the audit log as another input (audit:FILE).";

pub const AUDIT_MISSING: &str = "No audit record. Give the audit log as another input: Data \
     Center's audit log (its JSON files or REST API), or Cloud's audit log (wikiwatch pull). Data Center: in Audit log > Settings, set \"User management\" and \"Permissions\" \
     to at least Base so grants of administration reach the privilege-change rule.";

pub const AUDIT_NO_GRANTS: &str = "No group membership or permission records. Data Center: in \
     Audit log > Settings, set the \"User management\" and \"Permissions\" coverage areas to at \
     least Base.";

pub const AUDIT_NO_END_USER: &str = "No end-user records (page views). Data Center: set the \
     \"End user activity\" coverage area to Advanced (Data Center only; Base does not log \
     page views or searches). Cloud: page views are not in the audit log; the access log of \
     a proxy in front of Confluence is the source.";

pub const STATUS_MISSING: &str = "No HTTP status: only audit records. Add the access log \
     (%s is in Confluence's default pattern) so denied reads can be counted.";

pub const RETENTION: &str = "Keep more history. Confluence keeps its access logs for a limited \
     number of days (the AccessLogValve's maxDays in server.xml); collect them into longer \
     storage and give wikiwatch the older files too. Baselines need 30 days, investigations 90.";

pub const GAPS: &str = "Hours with no event at all: a node, shipper or rotation lost data, or \
     the site was down. Check the collection for those hours and give the missing files.";

pub const CLOCK: &str = "Events out of order or dated ahead of their source: run NTP on every \
     node and proxy, and keep the time zone in the log (%t writes it). Events behind the event \
     clock by more than limits.late_tolerance are skipped.";

pub const PRIVILEGED_MISSING: &str = "No privileged account is known, so the privileged \
     thresholds never apply. List administrators in the config (identity.users.<login> with \
     \"privileged\": true or a role in identity.privileged_roles), or give the audit log with \
     the \"User management\" and \"Permissions\" areas on, so grants are learned.";

pub const ROLES_MISSING: &str = "Users have no team or role, so a new account has no baseline \
     to be judged against until it has its own. Add them to identity.users with \"team\" and \
     \"role\" (docs/config.md).";
