#!/usr/bin/env python3
"""A protocol-faithful Asterisk Manager Interface peer for astd's tests.

It speaks AMI as Asterisk 20/22 do (manager.c, res_pjsip's AMI actions):
the banner "Asterisk Call Manager/<version>", then CRLF "Key: Value" blocks
ended by a blank line; every answer carries the action's ActionID; list
answers are "Response: Success / EventList: start", the list events, and a
"...Complete" event with "EventList: Complete" and "ListItems".

Actions: Login, Logoff, Events, Ping, Reload, PJSIPShowEndpoint,
PJSIPShowEndpoints.  On "Reload" of res_pjsip.so it loads the pjsip
include given with --pjsip the way Asterisk 22 does: an endpoint with an
unknown option, or with "permit=a, b", is dropped while the reload still
answers Success.

A control socket (--control, a UNIX socket; one command per connection,
see ami_peer.py --send) drives it:
  emit FILE         send the event blocks of FILE (LF lines, blank-line
                    separated) to every subscribed session, as CRLF
  emit-raw FILE     send FILE's bytes as they are
  emit-timed FILE OUT [GAP_MS]  as emit, one block at a time (GAP_MS
                    apart), and write to OUT "ADDRESS SECONDS" with the
                    time each RemoteAddress's last block was sent (for
                    bench/ami.sh)
  drop              close every session
  down SECONDS      close every session and refuse connections a while
  reload-fail on|off  answer Reload with an error
  hide NAME         from now on, drop endpoint NAME on every reload (as
                    Asterisk does with an option it does not know)
  stats             print counters as key=value
Every action received is logged to stdout as "action NAME key=value...".
"""

import argparse
import asyncio
import os
import re
import sys
import time

VERSION = "9.0.0"	# the AMI version Asterisk 20 announces
START = time.time()

ENDPOINT_OPTIONS = {
    "type", "context", "disallow", "allow", "direct_media", "rtp_symmetric",
    "force_rport", "rewrite_contact", "identify_by", "aors", "auth",
    "outbound_auth", "set_var", "deny", "permit", "contact_deny",
    "contact_permit", "from_user", "from_domain", "transport", "acl",
    "contact_acl", "dtmf_mode", "trust_id_inbound", "send_rpid",
}
ACL_OPTIONS = {"deny", "permit", "contact_deny", "contact_permit"}
NET_RE = re.compile(r"^[0-9A-Fa-f.:]+/[0-9.:A-Fa-f]+$")


def log(*words):
    print(*words, flush=True)


def load_pjsip(path):
    """Endpoints as Asterisk 22 would load them: name -> dict."""
    endpoints = {}
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError as e:
        log("reload: cannot read", path, e.strerror)
        return None
    sections = []
    cur = None
    for raw in text.split("\n"):
        line = re.sub(r"(?<!\\);.*$", "", raw).replace("\\;", ";").strip()
        if not line:
            continue
        m = re.match(r"^\[([^\]]+)\]$", line)
        if m:
            cur = {"name": m.group(1), "opts": []}
            sections.append(cur)
            continue
        if cur is None or "=" not in line:
            continue
        k, v = line.split("=", 1)
        cur["opts"].append((k.strip(), v.strip()))
    for s in sections:
        opts = s["opts"]
        if ("type", "endpoint") not in opts:
            continue
        bad = [k for k, _ in opts if k not in ENDPOINT_OPTIONS]
        bad += [k for k, v in opts if k in ACL_OPTIONS and
                ("," in v or not NET_RE.match(v))]
        if bad:
            log("reload: endpoint", s["name"], "dropped:", bad[0])
            continue
        d = dict(opts)
        endpoints[s["name"]] = {
            "context": d.get("context", "default"),
            "identify_by": d.get("identify_by", "username,ip"),
            "aors": d.get("aors", ""),
            "deny": [v for k, v in opts if k == "deny"],
            "permit": [v for k, v in opts if k == "permit"],
        }
    return endpoints


class Session(dict):
    """One manager connection: its writer, login and event subscription;
    hashable by identity so that the peer can keep a set of them."""

    def __init__(self, writer):
        super().__init__(w=writer, auth=False, events=False, mask=set())

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


class Peer:
    def __init__(self, args):
        self.args = args
        self.secret = open(args.secret, "rb").read().strip().decode()
        self.sessions = set()
        self.endpoints = {}
        self.reload_fail = False
        self.hidden = set()
        self.down_until = 0
        self.stats = {"connections": 0, "logins": 0, "login_failures": 0,
                      "reloads": 0, "reload_failures": 0, "shows": 0,
                      "events_sent": 0}

    # -- AMI sessions --------------------------------------------------

    async def session(self, reader, writer):
        if time.time() < self.down_until:
            writer.close()
            return
        self.stats["connections"] += 1
        s = Session(writer)
        self.sessions.add(s)
        writer.write(("Asterisk Call Manager/%s\r\n" % VERSION).encode())
        try:
            block = {}
            order = []
            while True:
                line = await reader.readline()
                if not line:
                    break
                line = line.decode("ascii", "replace").rstrip("\r\n")
                if line:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        block[k.strip().lower()] = v.strip()
                        order.append(k.strip())
                    continue
                if block:
                    if not await self.action(s, block):
                        break
                block, order = {}, []
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.sessions.discard(s)
            writer.close()

    def send(self, s, fields, tail="\r\n"):
        out = "".join("%s: %s\r\n" % (k, v) for k, v in fields) + tail
        s["w"].write(out.encode())

    def respond(self, s, aid, resp, msg=None, extra=(), eventlist=None):
        """As astman_send_response_full(): Response, ActionID, EventList,
        then Message and the blank line."""
        f = [("Response", resp)]
        if aid:
            f.append(("ActionID", aid))
        if eventlist:
            f.append(("EventList", eventlist))
        f.extend(extra)
        if msg is not None:
            f.append(("Message", msg))
        self.send(s, f)

    async def action(self, s, b):
        name = b.get("action", "")
        aid = b.get("actionid", "")
        log("action", name, " ".join("%s=%s" % (k, v) for k, v in b.items()
                                     if k not in ("action", "secret")))
        lname = name.lower()
        if lname == "login":
            if (b.get("username") == self.args.user and
                    b.get("secret") == self.secret):
                s["auth"] = True
                self.stats["logins"] += 1
                self.respond(s, aid, "Success", "Authentication accepted")
                up = int(time.time() - START)
                self.send(s, [("Event", "FullyBooted"),
                              ("Privilege", "system,all"),
                              ("Uptime", up), ("LastReload", up),
                              ("Status", "Fully Booted")])
                return True
            self.stats["login_failures"] += 1
            self.respond(s, aid, "Error", "Authentication failed")
            return False
        if lname == "logoff":
            self.respond(s, aid, "Goodbye", "Thanks for all the fish.")
            return False
        if not s["auth"]:
            self.respond(s, aid, "Error", "Authentication Required")
            return True
        if lname == "events":
            mask = b.get("eventmask", "off").lower()
            s["events"] = mask not in ("off", "no", "false", "0")
            s["mask"] = set(x.strip() for x in mask.split(","))
            self.respond(s, aid, "Success", None,
                         [("Events", "On" if s["events"] else "Off")])
        elif lname == "ping":
            self.respond(s, aid, "Success", None,
                         [("Ping", "Pong"),
                          ("Timestamp", "%.6f" % time.time())])
        elif lname == "reload":
            self.reload(s, aid, b.get("module", ""))
        elif lname == "pjsipshowendpoint":
            self.show_endpoint(s, aid, b.get("endpoint", ""))
        elif lname == "pjsipshowendpoints":
            self.show_endpoints(s, aid)
        else:
            self.respond(s, aid, "Error", "Invalid/unknown command")
        return True

    def reload(self, s, aid, module):
        self.stats["reloads"] += 1
        if self.reload_fail:
            self.stats["reload_failures"] += 1
            self.respond(s, aid, "Error", "An unknown error occurred")
            return
        mod = module[:-3] if module.endswith(".so") else module
        if mod == "res_pjsip":
            eps = load_pjsip(self.args.pjsip)
            if eps is None:
                self.respond(s, aid, "Error", "An unknown error occurred")
                return
            for name in self.hidden & set(eps):
                log("reload: endpoint", name, "dropped: hidden")
                del eps[name]
            self.endpoints = eps
            log("reload: res_pjsip", len(eps), "endpoints:",
                " ".join(sorted(eps)))
        elif mod not in ("pbx_config", ""):
            self.respond(s, aid, "Error", "No such module")
            return
        self.respond(s, aid, "Success", "Module Reloaded")

    def show_endpoint(self, s, aid, name):
        self.stats["shows"] += 1
        if name.lower().startswith("pjsip/"):
            name = name[6:]
        if not name:
            # astman_send_error_va() keeps the format's newline
            self.respond(s, aid, "Error",
                         "PJSIPShowEndpoint requires an endpoint name\n")
            return
        ep = self.endpoints.get(name)
        if ep is None:
            self.respond(s, aid, "Error",
                         "Unable to retrieve endpoint %s\n" % name)
            return
        self.respond(s, aid, "Success", "Following are Events for each "
                     "object associated with the the Endpoint",
                     eventlist="start")
        self.send(s, [("Event", "EndpointDetail"), ("ActionID", aid),
                      ("ObjectType", "endpoint"), ("ObjectName", name),
                      ("Context", ep["context"]),
                      ("IdentifyBy", ep["identify_by"]),
                      ("Aors", ep["aors"]),
                      ("DeviceState", "Not in use"),
                      ("ActiveChannels", "")])
        self.send(s, [("Event", "EndpointDetailComplete"),
                      ("ActionID", aid), ("EventList", "Complete"),
                      ("ListItems", 1)])

    def show_endpoints(self, s, aid):
        if not self.endpoints:
            self.respond(s, aid, "Error", "No endpoints found\n")
            return
        self.respond(s, aid, "Success", "A listing of Endpoints follows, "
                     "presented as EndpointList events", eventlist="start")
        for name in sorted(self.endpoints):
            ep = self.endpoints[name]
            self.send(s, [("Event", "EndpointList"), ("ActionID", aid),
                          ("ObjectType", "endpoint"), ("ObjectName", name),
                          ("Transport", ""), ("Aor", ep["aors"]),
                          ("Auths", ""), ("OutboundAuths", ""),
                          ("Contacts", ""), ("DeviceState", "Not in use"),
                          ("ActiveChannels", "0")])
        self.send(s, [("Event", "EndpointListComplete"), ("ActionID", aid),
                      ("EventList", "Complete"),
                      ("ListItems", len(self.endpoints))])

    # -- control -------------------------------------------------------

    def event_class(self, block):
        m = re.search(rb"^Privilege: *([a-z]+)", block, re.M | re.I)
        return m.group(1).decode().lower() if m else "system"

    async def emit_timed(self, data, out, gap):
        sent = {}
        for block in re.split(rb"\n\s*\n", data):
            block = block.strip(b"\n")
            if not block:
                continue
            wire = block.replace(b"\n", b"\r\n") + b"\r\n\r\n"
            for s in list(self.sessions):
                if s["auth"] and s["events"]:
                    s["w"].write(wire)
                    await s["w"].drain()
            m = re.search(rb"RemoteAddress: *\S+?/\S+?/([^/\s]+)/", block)
            if m:
                sent[m.group(1).decode()] = time.time()
            if gap > 0:
                await asyncio.sleep(gap)
        with open(out, "w") as f:
            for addr, t in sent.items():
                f.write("%s %.6f\n" % (addr, t))
        return len(sent)

    async def emit(self, data, raw):
        if raw:
            chunks = [(None, data)]
        else:
            chunks = []
            for block in re.split(rb"\n\s*\n", data):
                block = block.strip(b"\n")
                if not block or block.startswith(b"#"):
                    continue
                chunks.append((self.event_class(block),
                               block.replace(b"\n", b"\r\n") + b"\r\n\r\n"))
        n = 0
        for s in list(self.sessions):
            if not s["auth"]:
                continue
            for cls, chunk in chunks:
                if cls is not None and not (s["events"] and
                                            (cls in s["mask"] or
                                             "on" in s["mask"] or
                                             "all" in s["mask"])):
                    continue
                s["w"].write(chunk)
                n += 1
            try:
                await s["w"].drain()
            except ConnectionError:
                pass
        self.stats["events_sent"] += n
        return n

    def drop_all(self):
        for s in list(self.sessions):
            s["w"].close()
        self.sessions.clear()

    async def control(self, reader, writer):
        line = (await reader.readline()).decode().strip()
        words = line.split()
        out = "ok"
        try:
            if words[0] in ("emit", "emit-raw"):
                with open(words[1], "rb") as f:
                    n = await self.emit(f.read(), words[0] == "emit-raw")
                out = "ok %d" % n
            elif words[0] == "emit-timed":
                with open(words[1], "rb") as f:
                    n = await self.emit_timed(f.read(), words[2],
                                              float(words[3]) / 1000
                                              if len(words) > 3 else 0)
                out = "ok %d" % n
            elif words[0] == "drop":
                self.drop_all()
            elif words[0] == "down":
                self.down_until = time.time() + float(words[1])
                self.drop_all()
            elif words[0] == "hide":
                self.hidden.add(words[1])
            elif words[0] == "reload-fail":
                self.reload_fail = words[1] == "on"
            elif words[0] == "stats":
                out = " ".join("%s=%s" % kv for kv in
                               sorted(self.stats.items()))
                out += " endpoints=" + ",".join(sorted(self.endpoints))
            else:
                out = "error unknown command"
        except (IndexError, OSError, ValueError) as e:
            out = "error %s" % e
        writer.write((out + "\n").encode())
        await writer.drain()
        writer.close()


async def serve(args):
    peer = Peer(args)
    srv = await asyncio.start_server(peer.session, args.host, args.port,
                                     reuse_address=True)
    if os.path.exists(args.control):
        os.unlink(args.control)
    ctl = await asyncio.start_unix_server(peer.control, args.control)
    log("listening", args.host, args.port)
    async with srv, ctl:
        await asyncio.gather(srv.serve_forever(), ctl.serve_forever())


def send(path, command):
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((command + "\n").encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    sys.stdout.write(data.decode())
    return 0 if data.startswith(b"ok") or b"=" in data else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5038)
    ap.add_argument("--user", default="trunkd")
    ap.add_argument("--secret", help="file with the manager secret")
    ap.add_argument("--pjsip", help="the pjsip include astd writes")
    ap.add_argument("--control", required=True)
    ap.add_argument("--send", metavar="COMMAND",
                    help="send one control command and print the answer")
    args = ap.parse_args()
    if args.send:
        sys.exit(send(args.control, args.send))
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
