#!/bin/bash
# The training lab: real programs on loopback make the captures of a Meeting Server edge, each
# with an answer key of what cmsedge must find.
#
#   tests/lab/lab.sh OUT_DIR          (as root: it captures on lo and binds service ports)
#
# Hosts are 127.x addresses (all of 127.0.0.0/8 reaches lo): Expressway-E public 127.0.1.10,
# Expressway-E private 127.0.2.10, Expressway-C 127.0.2.20, Meeting Server 127.0.2.30,
# administrator PC 127.0.2.50, a web app client 127.0.1.31, a SIP endpoint 127.0.1.21, a TURN
# peer 127.0.1.40. Programs: coturn (turnserver, turnutils_uclient, turnutils_peer) as the
# Expressway-E TURN server with relays in 24000-29999; OpenSSH's sshd on 2222 and ssh; OpenSSL
# s_server for TLS on 443/5061/8443; socat for SIP over TCP and TLS clients bound to the source
# ports the reference names (sipp is not in Debian 12); a Python socket loop for RTP streams;
# sip_call.py (Python's sockets and ssl) for whole SIP calls across the four hosts of a
# traversal call. Every program runs under timeout and every loop is bounded; nothing leaves lo.
#
# Writes OUT_DIR/<scenario>.pcap and OUT_DIR/<scenario>.key.json for the scenarios web-proxy
# (Table 1), sip-edge (Table 2), misconfig (closed relay port, wrong traversal zone port,
# translated source port, administration on 443, SSH tunnel refused) and traversal (three SIP
# calls from the endpoint through Expressway-E and Expressway-C to the Meeting Server: two in
# clear, one of them with no media back from the Meeting Server, and one over TLS), and
# OUT_DIR/lab.hosts; OUT_DIR/traversal.tls-keylog holds the TLS call's session secrets.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
out=$(mkdir -p "${1:?usage: lab.sh OUT_DIR}" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
[[ $(id -u) -eq 0 ]] || { echo "lab.sh: run as root (captures on lo, binds ports < 1024)" >&2; exit 77; }
for tool in turnserver turnutils_uclient turnutils_peer /usr/sbin/sshd ssh ssh-keygen socat \
            openssl dumpcap python3 timeout; do
  command -v "$tool" >/dev/null || { echo "lab.sh: $tool missing (apt-get install coturn openssh-server openssh-client socat openssl tshark)" >&2; exit 77; }
done

E_PUB=127.0.1.10 E_PRIV=127.0.2.10 EXP_C=127.0.2.20 CMS=127.0.2.30 ADMIN=127.0.2.50
GUEST=127.0.1.31 ENDPOINT=127.0.1.21 PEER=127.0.1.40
# TCP source ports are drawn afresh on every run, inside the range the reference gives, so a run
# right after another does not meet its connections in TIME_WAIT
pick() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
C_ZONE1=$(pick 25000 26999) C_ZONE2=$(pick 27000 28499) C_ZONE3=$(pick 28500 29999)
C_SSH=$(pick 30000 31999) C_SSH2=$(pick 32000 33999) C_WEB=$(pick 34000 35999)
C_NAT=$(pick 4000 4999) GUEST_TLS=$(pick 50000 59999) ADMIN_TLS=$(pick 50000 59999)
EP_SIP=$(pick 40000 44999) EP_TLS=$(pick 45000 49999)
work=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-lab.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  cp "$work/programs.log" "$out/lab.log" 2>/dev/null || true # what the programs said
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "lab: $*"; }
bg() { "$@" >>"$work/programs.log" 2>&1 & pids+=($!); }

cat >"$out/lab.hosts" <<HOSTS
"$E_PUB","expressway-e-public","lab-e-public"
"$E_PRIV","expressway-e-private","lab-e-private"
"$EXP_C","expressway-c","lab-c"
"$CMS","meeting-server","lab-cms"
"$ADMIN","admin-pc","lab-admin"
"$ENDPOINT","sip-endpoint","lab-endpoint"
HOSTS

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=lab \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
mkdir -p /run/sshd

wait_port() { # proto addr port: until something listens (at most 5 s)
  for _ in $(seq 50); do
    if [[ $1 == tcp ]]; then ss -Hltn "src $2:$3" | grep -q . && return 0
    else ss -Hlun "src $2:$3" | grep -q . && return 0; fi
    sleep 0.1
  done
  echo "lab.sh: nothing listens on $1 $2:$3" >&2; return 1
}

start_capture() { # name
  rm -f "$out/$1.pcap"
  dumpcap -q -i lo -f "net 127.0.1.0/24 or net 127.0.2.0/24" -a duration:120 -w "$work/$1.pcapng" \
    >>"$work/programs.log" 2>&1 &
  capture_pid=$!
  for _ in $(seq 50); do [[ -s $work/$1.pcapng ]] && break; sleep 0.1; done
  sleep 0.5
}

stop_capture() { # name
  sleep 0.5
  kill -INT "$capture_pid"; wait "$capture_pid" 2>/dev/null || true
  editcap -F pcap "$work/$1.pcapng" "$out/$1.pcap"
  chmod 644 "$out/$1.pcap"
  log "$1: $(capinfos -c -M "$out/$1.pcap" | awk '/Number of packets/{print $NF}') frames"
}

tls_server() { # addr port: one TLS session, then exit
  bg timeout 20 openssl s_server -accept "$1:$2" -cert "$work/cert.pem" -key "$work/key.pem" \
    -naccept 1 -quiet
  wait_port tcp "$1" "$2"
}

tls_client() { # src srcport dst dport
  echo "hello" | timeout 10 socat -t1 - "OPENSSL:$3:$4,bind=$1:$2,reuseaddr,verify=0" >/dev/null 2>&1 || true
}

sip_server() { # addr port: answers each SIP request with 200 OK
  bg timeout 30 socat "TCP-LISTEN:$2,bind=$1,reuseaddr,fork" \
    "SYSTEM:python3 $here/sip_answer.py"
  wait_port tcp "$1" "$2"
}

sip_options() { # src srcport dst dport
  python3 "$here/sip_answer.py" --request "$3" "$1" |
    timeout 10 socat -t2 - "TCP:$3:$4,bind=$1:$2,reuseaddr" >/dev/null 2>&1 || true
}

turn_server() { # coturn as the Expressway-E's TURN server: relays 24000-29999
  bg timeout 30 turnserver -n --listening-ip="$E_PUB" --relay-ip="$E_PUB" --listening-port=3478 \
    --min-port=24000 --max-port=29999 --lt-cred-mech --user=lab:lab --realm=lab.example \
    --no-tls --no-dtls --no-cli --allow-loopback-peers --log-file=stdout --simple-log
  wait_port udp "$E_PUB" 3478
}

rtp() { # src sport dst dport packets
  timeout 20 python3 "$here/rtp_stream.py" "$@"
}

ssh_tunnel() { # srcport: ssh from Expressway-C's source port to the private address, port 2222
  timeout 15 ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -p 2222 \
    -o "ProxyCommand=socat - TCP:%h:%p,bind=$EXP_C:$1,reuseaddr" lab@"$E_PRIV" true >/dev/null 2>&1 || true
}

# ---- Table 1: web proxy ------------------------------------------------------------------
log "web-proxy"
start_capture web-proxy
tls_server "$E_PUB" 443
tls_client "$GUEST" "$GUEST_TLS" "$E_PUB" 443                                  # T1-01
turn_server
bg timeout 30 turnutils_peer -L "$PEER" -p 3480
wait_port udp "$PEER" 3480
timeout 15 turnutils_uclient -L "$GUEST" -e "$PEER" -r 3480 -u lab -w lab -n 20 -m 1 -c \
  "$E_PUB" >>"$work/programs.log" 2>&1                                    # T1-06, T1-02, relays
bg timeout 30 /usr/sbin/sshd -D -e -f /dev/null -h "$work/hostkey" -o ListenAddress="$E_PRIV" \
  -p 2222 -o PidFile=none
wait_port tcp "$E_PRIV" 2222
ssh_tunnel "$C_SSH"                                                       # T1-04
sip_server "$E_PRIV" 7001
sip_options "$EXP_C" "$C_ZONE1" "$E_PRIV" 7001                              # T1-05
tls_server "$CMS" 443
tls_client "$EXP_C" "$C_WEB" "$CMS" 443                                   # T1-08
stop_capture web-proxy
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
cat >"$out/web-proxy.key.json" <<KEY
{"scenario": "Web proxy for Cisco Meeting Server (Table 1)",
 "rules": ["T1-01", "T1-02", "T1-04", "T1-05", "T1-06", "T1-08", "T2-13", "T2-14"],
 "offspec": false, "checks": [], "translated_source": false, "reasons": [], "findings": [],
 "students": "Every frame has a purpose; nothing is off-spec. Find the TURN allocation, its relay port (24000-29999), the ChannelData it carries and the relay's traffic to the peer; the SSH tunnel from Expressway-C's 30000-35999; the traversal zone on 7001."}
KEY

# ---- Table 2: SIP edge for standards-based endpoints -------------------------------------
log "sip-edge"
start_capture sip-edge
sip_server "$E_PRIV" 7001
sip_options "$EXP_C" "$C_ZONE2" "$E_PRIV" 7001                              # T2-01
sip_server "$E_PUB" 5060
sip_options "$ENDPOINT" "$EP_SIP" "$E_PUB" 5060                            # T2-04
tls_server "$E_PUB" 5061
tls_client "$ENDPOINT" "$EP_TLS" "$E_PUB" 5061                             # T2-05
bg timeout 30 socat -u "UDP-RECV:2776,bind=$E_PRIV" /dev/null            # Assent demux port
wait_port udp "$E_PRIV" 2776
rtp "$EXP_C" 36002 "$E_PRIV" 2776 25                                      # T2-06
bg timeout 30 socat "UDP-LISTEN:36010,bind=$E_PUB,reuseaddr" PIPE        # latches: echoes back
wait_port udp "$E_PUB" 36010
rtp "$ENDPOINT" 40004 "$E_PUB" 36010 25                                  # T2-08, echo T2-10
stop_capture sip-edge
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
cat >"$out/sip-edge.key.json" <<KEY
{"scenario": "SIP edge for standards-based endpoints (Table 2)",
 "rules": ["T2-01", "T2-04", "T2-05", "T2-06", "T2-08", "T2-10"],
 "offspec": false, "checks": [], "translated_source": false, "reasons": [], "findings": [],
 "students": "Nothing is off-spec. Expressway-C sends Assent media to the demultiplexing port 2776 from 36000-59999; Expressway-E answers the endpoint's media from the port it arrived on (latching)."}
KEY

# ---- misconfigurations ---------------------------------------------------------------------
log "misconfig"
start_capture misconfig
rtp "$CMS" 50010 "$E_PRIV" 24030 3                                       # relay port closed
turn_server
bg timeout 30 socat -u "UDP-RECV:3490,bind=$PEER" /dev/null              # takes, never answers
wait_port udp "$PEER" 3490
timeout 8 turnutils_uclient -L "$GUEST" -e "$PEER" -r 3490 -u lab -w lab -n 20 -m 1 -c \
  "$E_PUB" >>"$work/programs.log" 2>&1 || true                    # relay's media not let back in
timeout 8 turnutils_uclient -L "$CMS" -e "$PEER" -r 3490 -u lab -w lab -n 20 -m 1 -c \
  "$E_PUB" >>"$work/programs.log" 2>&1 || true        # the Meeting Server's TURN on the public side
bg timeout 30 socat "TCP-LISTEN:7002,bind=$E_PRIV,reuseaddr,fork" "SYSTEM:python3 $here/sip_answer.py"
wait_port tcp "$E_PRIV" 7002
sip_options "$EXP_C" "$C_ZONE3" "$E_PRIV" 7002                              # wrong zone port
sip_server "$E_PRIV" 7001
sip_options "$EXP_C" "$C_NAT" "$E_PRIV" 7001                               # translated source
tls_server "$E_PRIV" 443
tls_client "$ADMIN" "$ADMIN_TLS" "$E_PRIV" 443                                # admin on 443
ssh_tunnel "$C_SSH2"                                                       # sshd not running
stop_capture misconfig
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
cat >"$out/misconfig.key.json" <<KEY
{"scenario": "Misconfigurations",
 "rules": [],
 "offspec": true,
 "checks": [["blocked", "T2-15"], ["blocked", "T1-04"], ["public-turn", "T1-06"]],
 "firewall_blocked": ["T2-14"],
 "calls_verdicts_contain": ["note: the Meeting Server's allocation"],
 "translated_source": true,
 "reasons": ["Expressway-E ports are 7001; seen 7002", "Expressway-C source ports are 25000-29999; seen $C_NAT"],
 "findings": ["web administration on port 443"],
 "students": "Seven faults: relay ports closed (ICMP port unreachable for the Meeting Server's media), a TURN relay whose peer's media never comes back in (the relay sends 20 datagrams, nothing returns), the Meeting Server allocating on the Expressway-E's public TURN address instead of the private one (Tables 1 and 4), the traversal zone on the wrong port (7002), a translating firewall between Expressway-C and Expressway-E (source port $C_NAT), web administration on 443 (footnotes 1 and 2), and the SSH tunnel refused (RST on 2222)."}
KEY

# ---- traversal calls -----------------------------------------------------------------------
# sip_call.py plays the endpoint, Expressway-E, Expressway-C and the Meeting Server: two clear
# calls (the second with no media back from the Meeting Server) and one over TLS, 5 s apart; it
# prints what each call used, for the answer key. Its ports are drawn afresh, none of the above.
log "traversal"
start_capture traversal
rm -f "$out/traversal.tls-keylog"
avoid="$C_ZONE1,$C_ZONE2,$C_ZONE3,$C_SSH,$C_SSH2,$C_WEB,$C_NAT,$GUEST_TLS,$ADMIN_TLS,$EP_SIP"
avoid+=",$EP_TLS,36002,36010,40004,50010"
if ! timeout 60 python3 "$here/sip_call.py" --cert "$work/cert.pem" --key "$work/key.pem" \
     --keylog "$out/traversal.tls-keylog" --avoid "$avoid" >"$work/traversal.json" \
     2>>"$work/programs.log"; then               # T2-01..T2-10 (see the script's comments)
  kill -INT "$capture_pid" 2>/dev/null || true
  echo "lab.sh: traversal: sip_call.py failed (its words are in $out/lab.log)" >&2
  exit 1
fi
stop_capture traversal
cat >"$out/traversal.key.json" <<KEY
{"scenario": "Traversal calls: SIP endpoint, Expressway-E, Expressway-C, Meeting Server (Table 2)",
 "rules": ["T2-01", "T2-02", "T2-03", "T2-04", "T2-05", "T2-06", "T2-07", "T2-08", "T2-09", "T2-10"],
 "offspec": false, "checks": [], "translated_source": false, "reasons": [], "findings": [],
 "students": "Three calls cross the edge, each on three hops (endpoint to Expressway-E, the traversal zone, Expressway-C to the Meeting Server). The first two are in clear: tie each call's hops by its Call-ID and each hop's media by the SDP (both calls send Expressway-C's media to the one demultiplexing port 2776, from different ports); in the second the Meeting Server never sends media back to Expressway-C. The third is TLS on every hop: only the timing ties its connections and media together.",
 "traversal_calls": $(cat "$work/traversal.json")}
KEY
log "captures and answer keys in $out"
