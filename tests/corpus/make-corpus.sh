#!/bin/bash
# The not-an-edge corpus: real Debian programs talk on loopback, one capture per scenario, none
# of it a Cisco Meeting Server edge. cmsedge must say nothing about any of it: no purpose, no
# off-spec verdict, no inferred role (tests/e2e/test_corpus.py checks that).
#
#   tests/corpus/make-corpus.sh OUTDIR [SCENARIO...]     (as root: captures on lo, binds :22 etc.)
#
# Each scenario has its own hosts, 127.0.N.x, and its capture filter names exactly those
# addresses, so other traffic on lo (another test's lab, say) stays out. Writes
# OUTDIR/<scenario>.pcap, or OUTDIR/<scenario>.skipped with the reason when a program it needs
# is missing (tests/corpus/packages.txt lists the Debian packages), and OUTDIR/corpus.log with
# what the programs said. Exit status: 0 when every scenario was made or skipped, 1 when one
# failed, 77 when not root. Every server runs under timeout as our child and is killed when its
# scenario ends; every loop is bounded.
#
#   scenario        hosts                    program
#   tls-ephemeral   127.0.1.1/.3 <- .2       openssl s_server :443, openssl s_client (kernel ports)
#   ssh22           127.0.2.1 <- .2          sshd :22 (temp config, key auth), ssh
#   dns             127.0.3.1 <- .2          dnsmasq :53, dig (UDP and TCP)
#   ntp             127.0.4.1 <- .2          chronyd (server, local stratum), chronyd -Q (client)
#   snmp            127.0.5.1 <- .2          snmpd :161, snmpget/snmpwalk
#   ldap            127.0.6.1 <- .2          slapd :389 (temp config), ldapadd/ldapsearch
#   postgres        127.0.7.1 <- .2          initdb + postgres :5432 as postgres, psql
#   coturn-default  127.0.8.1, .2, .3        turnserver, default relays 49152-65535; uclient/peer
#   sip-ua          127.0.9.1 <-> .2         two baresip user agents, SIP/UDP 5060, RTP (own netns)
#   webrtc-like     127.0.10.1 <-> .2        gst-launch-1.0 RTP (PCMU, Opus) 36000-59999 both ends
#   quic-like       127.0.11.1 <-> .2        python3 sockets: QUIC long/short headers (greased too)
#   wireguard-like  127.0.12.1 <-> .2        python3 sockets: WireGuard messages 1-4
#   random-udp      127.0.13.1 <-> .2        python3 sockets: random bytes, a third RTP-like
#
# ldapsearch and psql have no option to choose their source address, so they talk to a socat on
# a Unix socket that makes the TCP connection from the client address (kernel port): the bytes
# on the wire are theirs.
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail
out=$(mkdir -p "${1:?usage: make-corpus.sh OUTDIR [SCENARIO...]}" && cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
[[ $(id -u) -eq 0 ]] || { echo "make-corpus.sh: run as root (captures on lo, binds ports < 1024)" >&2; exit 77; }
for tool in dumpcap editcap capinfos timeout ss; do
  command -v "$tool" >/dev/null || { echo "make-corpus.sh: $tool missing (apt-get install tshark iproute2)" >&2; exit 77; }
done
ALL=(tls-ephemeral ssh22 dns ntp snmp ldap postgres coturn-default sip-ua webrtc-like quic-like
     wireguard-like random-udp)
wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=("${ALL[@]}")

work=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-corpus.XXXXXX")
chmod 755 "$work"
pids=()
capture_pid=""
ns=""      # the network namespace sip-ua makes, deleted on the way out
in_ns=()   # the command prefix that runs a program in it
log() { echo "corpus: $*"; }
plog() { echo "== $*" >>"$work/programs.log"; }
bg() { "$@" >>"$work/programs.log" 2>&1 & pids+=($!); }
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_servers
  [[ -n $capture_pid ]] && kill -INT "$capture_pid" 2>/dev/null && wait "$capture_pid" 2>/dev/null
  [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
  cp "$work/programs.log" "$out/corpus.log" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { # program...: all present, or the scenario is skipped with the reason
  local t
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      skip_reason="$t not installed (see tests/corpus/packages.txt)"
      return 1
    fi
  done
}

wait_port() { # tcp|udp addr port: until something listens (at most 10 s)
  local _
  for _ in $(seq 100); do
    if [[ $1 == tcp ]]; then ss -Hltn "src $2:$3" | grep -q . && return 0
    else ss -Hlun "src $2:$3" | grep -q . && return 0; fi
    sleep 0.1
  done
  echo "make-corpus.sh: nothing listens on $1 $2:$3" >&2
  return 1
}

start_capture() { # name host...
  local name=$1 filter="" h
  shift
  for h in "$@"; do filter+="${filter:+ or }host $h"; done
  "${in_ns[@]}" dumpcap -q -i lo -f "$filter" -a duration:60 -w "$work/$name.pcapng" >>"$work/programs.log" 2>&1 &
  capture_pid=$!
  local _
  for _ in $(seq 50); do [[ -s $work/$name.pcapng ]] && break; sleep 0.1; done
  sleep 0.3
}

stop_capture() { # name
  sleep 0.3
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  capture_pid=""
  editcap -F pcap "$work/$1.pcapng" "$out/$1.pcap" && chmod 644 "$out/$1.pcap"
}

# ---- tls-ephemeral: TLS to 443 from the kernel's ephemeral ports ---------------------------
# 32768-60999 by default: some connections come from 30000-35999 (the SSH tunnel range of
# Expressway-C), which must not make the client an Expressway-C.
scenario_tls-ephemeral() {
  need openssl || return 2
  local s1=127.0.1.1 c=127.0.1.2 s2=127.0.1.3 i
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=corpus \
    -keyout "$work/tls-key.pem" -out "$work/tls-cert.pem" 2>/dev/null || return 1
  start_capture tls-ephemeral "$s1" "$c" "$s2"
  for s in "$s1" "$s2"; do
    bg timeout 60 openssl s_server -accept "$s:443" -cert "$work/tls-cert.pem" \
      -key "$work/tls-key.pem" -quiet
    wait_port tcp "$s" 443 || return 1
  done
  for i in $(seq 40); do
    echo "GET / HTTP/1.0" | timeout 5 openssl s_client -connect "$s1:443" -bind "$c" -quiet \
      -no_ign_eof >/dev/null 2>&1
  done
  for i in $(seq 8); do
    echo "GET / HTTP/1.0" | timeout 5 openssl s_client -connect "$s2:443" -bind "$c" -quiet \
      -no_ign_eof >/dev/null 2>&1
  done
  stop_servers
  stop_capture tls-ephemeral
}

# ---- ssh22: OpenSSH on its own port ----------------------------------------------------------
scenario_ssh22() {
  need /usr/sbin/sshd ssh ssh-keygen || return 2
  local s=127.0.2.1 c=127.0.2.2 i
  ssh-keygen -q -t ed25519 -N '' -f "$work/ssh-hostkey" || return 1
  ssh-keygen -q -t ed25519 -N '' -f "$work/ssh-userkey" || return 1
  cp "$work/ssh-userkey.pub" "$work/ssh-authorized"
  cat >"$work/sshd_config" <<EOF
ListenAddress $s
Port 22
HostKey $work/ssh-hostkey
AuthorizedKeysFile $work/ssh-authorized
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
EOF
  mkdir -p /run/sshd
  start_capture ssh22 "$s" "$c"
  bg timeout 60 /usr/sbin/sshd -D -e -f "$work/sshd_config"
  wait_port tcp "$s" 22 || return 1
  for i in $(seq 4); do
    timeout 10 ssh -F /dev/null -b "$c" -i "$work/ssh-userkey" -o BatchMode=yes \
      -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 \
      root@"$s" true >>"$work/programs.log" 2>&1 || return 1
  done
  stop_servers
  stop_capture ssh22
}

# ---- dns: dnsmasq and dig, UDP and TCP --------------------------------------------------------
scenario_dns() {
  need dnsmasq dig || return 2
  local s=127.0.3.1 c=127.0.3.2 n
  start_capture dns "$s" "$c"
  bg timeout 60 dnsmasq --no-daemon --conf-file=/dev/null --port=53 --listen-address="$s" \
    --bind-interfaces --no-resolv --no-hosts --pid-file= --user=root \
    --local=/corpus.test/ --host-record=www.corpus.test,127.0.3.9 \
    --txt-record=corpus.test,"not an edge" --srv-host=_sip._udp.corpus.test,www.corpus.test,5060
  wait_port udp "$s" 53 || return 1
  for n in www.corpus.test corpus.test missing.corpus.test; do
    timeout 10 dig +time=2 +tries=1 -b "$c" @"$s" "$n" ANY >>"$work/programs.log" 2>&1 || return 1
    timeout 10 dig +time=2 +tries=1 +tcp -b "$c" @"$s" "$n" ANY >>"$work/programs.log" 2>&1 || return 1
  done
  timeout 10 dig +time=2 +tries=1 -b "$c" @"$s" _sip._udp.corpus.test SRV >>"$work/programs.log" 2>&1 || return 1
  stop_servers
  stop_capture dns
}

# ---- ntp: chronyd serves its local clock, chronyd -Q asks it ----------------------------------
scenario_ntp() {
  need chronyd || return 2
  local s=127.0.4.1 c=127.0.4.2
  cat >"$work/chrony-server.conf" <<EOF
bindaddress $s
port 123
allow 127.0.0.0/8
local stratum 8
cmdport 0
pidfile $work/chrony-server.pid
EOF
  cat >"$work/chrony-client.conf" <<EOF
server $s iburst maxsamples 4
bindacqaddress $c
port 0
cmdport 0
pidfile $work/chrony-client.pid
EOF
  start_capture ntp "$s" "$c"
  bg timeout 60 chronyd -d -x -u root -f "$work/chrony-server.conf"
  wait_port udp "$s" 123 || return 1
  timeout 30 chronyd -Q -u root -t 20 -f "$work/chrony-client.conf" >>"$work/programs.log" 2>&1 || return 1
  stop_servers
  stop_capture ntp
}

# ---- snmp: snmpd and the net-snmp tools ------------------------------------------------------
scenario_snmp() {
  need snmpd snmpget snmpwalk || return 2
  local s=127.0.5.1 c=127.0.5.2
  mkdir -p "$work/snmp"
  cat >"$work/snmpd.conf" <<EOF
agentaddress udp:$s:161
rocommunity corpus 127.0.5.0/24
sysLocation loopback corpus
sysContact nobody
EOF
  start_capture snmp "$s" "$c"
  SNMP_PERSISTENT_DIR=$work/snmp bg timeout 60 snmpd -f -Lo -C -c "$work/snmpd.conf" -p "$work/snmpd.pid"
  wait_port udp "$s" 161 || return 1
  local opts=(-v2c -c corpus -On -m '' -t 2 -r 1 --clientaddr="$c")
  SNMP_PERSISTENT_DIR=$work/snmp timeout 10 snmpget "${opts[@]}" "$s" 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.3.0 \
    >>"$work/programs.log" 2>&1 || return 1
  SNMP_PERSISTENT_DIR=$work/snmp timeout 10 snmpwalk "${opts[@]}" "$s" 1.3.6.1.2.1.1 \
    >>"$work/programs.log" 2>&1 || return 1
  stop_servers
  stop_capture snmp
}

# ---- ldap: slapd on a throwaway config --------------------------------------------------------
scenario_ldap() {
  need slapd ldapsearch ldapadd socat || return 2
  local s=127.0.6.1 c=127.0.6.2 sock=$work/ldap.sock
  mkdir -p "$work/ldapdb"
  cat >"$work/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
pidfile $work/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=corpus,dc=test"
rootdn "cn=admin,dc=corpus,dc=test"
rootpw corpus
directory $work/ldapdb
EOF
  cat >"$work/base.ldif" <<EOF
dn: dc=corpus,dc=test
objectClass: dcObject
objectClass: organization
o: corpus
dc: corpus

dn: ou=people,dc=corpus,dc=test
objectClass: organizationalUnit
ou: people
EOF
  start_capture ldap "$s" "$c"
  bg timeout 60 slapd -d 0 -h "ldap://$s:389/" -f "$work/slapd.conf"
  wait_port tcp "$s" 389 || return 1
  bg timeout 60 socat "UNIX-LISTEN:$sock,fork" "TCP:$s:389,bind=$c"
  local _
  for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.1; done
  local uri="ldapi://${sock//\//%2F}"
  LDAPNOINIT=1 timeout 10 ldapadd -x -H "$uri" -D cn=admin,dc=corpus,dc=test -w corpus \
    -f "$work/base.ldif" >>"$work/programs.log" 2>&1 || return 1
  LDAPNOINIT=1 timeout 10 ldapsearch -x -H "$uri" -b "" -s base namingContexts >>"$work/programs.log" 2>&1 || return 1
  LDAPNOINIT=1 timeout 10 ldapsearch -x -H "$uri" -D cn=admin,dc=corpus,dc=test -w corpus \
    -b dc=corpus,dc=test >>"$work/programs.log" 2>&1 || return 1
  stop_servers
  stop_capture ldap
}

# ---- postgres: a temp cluster and psql ---------------------------------------------------------
scenario_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $bin || ! -x $bin/initdb || ! -x $bin/postgres ]] || ! id postgres >/dev/null 2>&1; then
    skip_reason="PostgreSQL server not installed (package postgresql)"
    return 2
  fi
  need psql socat runuser || return 2
  local s=127.0.7.1 c=127.0.7.2 db=$work/pg sock=$work/pgsock
  mkdir -p "$db" "$sock"
  chown postgres: "$db"
  runuser -u postgres -- "$bin/initdb" -D "$db" --auth=trust -U postgres >>"$work/programs.log" 2>&1 || return 1
  echo "host all all 127.0.7.0/24 trust" >>"$db/pg_hba.conf"
  start_capture postgres "$s" "$c"
  bg timeout 60 runuser -u postgres -- "$bin/postgres" -D "$db" -k "$db" -p 5432 \
    -c listen_addresses="$s" -c logging_collector=off
  wait_port tcp "$s" 5432 || return 1
  bg timeout 60 socat "UNIX-LISTEN:$sock/.s.PGSQL.5432,fork" "TCP:$s:5432,bind=$c"
  local _ q
  for _ in $(seq 50); do [[ -S $sock/.s.PGSQL.5432 ]] && break; sleep 0.1; done
  for q in "select version()" "create table t(a int); insert into t values (1),(2); select sum(a) from t" "select now()"; do
    timeout 10 psql -X -h "$sock" -p 5432 -U postgres -d postgres -c "$q" >>"$work/programs.log" 2>&1 || return 1
  done
  stop_servers
  stop_capture postgres
}

# ---- coturn-default: a plain TURN server with coturn's default relay range --------------------
scenario_coturn-default() {
  need turnserver turnutils_uclient turnutils_peer || return 2
  local s=127.0.8.1 c=127.0.8.2 peer=127.0.8.3
  start_capture coturn-default "$s" "$c" "$peer"
  bg timeout 60 turnserver -n --listening-ip="$s" --relay-ip="$s" --listening-port=3478 \
    --lt-cred-mech --user=corpus:corpus --realm=corpus.test --no-tls --no-dtls --no-cli \
    --allow-loopback-peers --log-file=stdout --simple-log
  bg timeout 60 turnutils_peer -L "$peer" -p 3480
  wait_port udp "$s" 3478 || return 1
  wait_port udp "$peer" 3480 || return 1
  timeout 15 turnutils_uclient -L "$c" -e "$peer" -r 3480 -u corpus -w corpus -n 15 -m 1 -c \
    "$s" >>"$work/programs.log" 2>&1 || return 1
  timeout 15 turnutils_uclient -L "$c" -e "$peer" -r 3480 -u corpus -w corpus -n 15 -m 1 \
    "$s" >>"$work/programs.log" 2>&1 || return 1
  stop_servers
  stop_capture coturn-default
}

# ---- sip-ua: two baresip user agents call each other (SIP/UDP 5060, RTP) ----------------------
# baresip puts the address of the interface it is given in its SDP and sends media from
# unbound sockets, so it runs in a network namespace of our own: two veth ends hold the two
# addresses (traffic between them still goes over that namespace's lo, where we capture), and
# the local routes give each the other's address as source, as two hosts would have.
scenario_sip-ua() {
  need baresip ip python3 || return 2
  local m
  for m in g711 aufile account menu; do
    [[ -e /usr/lib/baresip/modules/$m.so ]] || { skip_reason="baresip module $m.so missing"; return 2; }
  done
  local a=127.0.9.1 b=127.0.9.2 n
  ns=cmsedge-corpus-$$
  ip netns add "$ns" || return 1
  in_ns=(ip netns exec "$ns")
  local why
  if ! why=$("${in_ns[@]}" true 2>&1); then # e.g. in a chroot, where / is no mount point
    skip_reason="network namespaces do not work here (ip netns exec: ${why//$'\n'/ })"
    ip netns del "$ns" 2>/dev/null
    ns=""
    return 2
  fi
  "${in_ns[@]}" sh -ec "ip link set lo up
    ip link add ua1 type veth peer name ua2
    ip link set ua1 up; ip link set ua2 up
    ip addr add $a/32 dev ua1; ip addr add $b/32 dev ua2
    ip route replace table local local $a dev ua1 scope host src $b
    ip route replace table local local $b dev ua2 scope host src $a" || return 1
  python3 -c "
import math, struct, wave
w = wave.open('$work/tone.wav', 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b''.join(struct.pack('<h', int(6000 * math.sin(i * 0.3455))) for i in range(16000)))
w.close()" || return 1
  for n in 1 2; do
    mkdir -p "$work/ua$n"
    cat >"$work/ua$n/config" <<CONFIG
sip_listen 127.0.9.$n:5060
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module account.so
module menu.so
audio_source aufile,$work/tone.wav
audio_player aufile,/dev/null
audio_alert aufile,/dev/null
rtp_ports 40000-40999
CONFIG
    echo "<sip:ua$n@127.0.9.$n>;regint=0;answermode=auto;audio_codecs=PCMU" >"$work/ua$n/accounts"
  done
  start_capture sip-ua "$a" "$b"
  bg timeout 15 "${in_ns[@]}" baresip -4 -n ua2 -f "$work/ua2" -t 8
  "${in_ns[@]}" bash -c "$(declare -f wait_port); wait_port udp $b 5060" || return 1
  timeout 10 "${in_ns[@]}" baresip -4 -n ua1 -f "$work/ua1" -t 3 -e "/dial sip:ua2@$b" \
    >>"$work/programs.log" 2>&1 || return 1
  sleep 1
  stop_servers
  stop_capture sip-ua
  in_ns=()
  ip netns del "$ns"
  ns=""
}

# ---- webrtc-like: RTP between two strangers, high ports on both ends --------------------------
# Symmetric streams (each end sends from the port it receives on, as WebRTC does): Opus and
# PCMU on 47000 <-> 52000, VP8 video one way from 36000 to 36001.
scenario_webrtc-like() {
  need gst-launch-1.0 gst-inspect-1.0 socat || return 2
  local e
  for e in audiotestsrc opusenc rtpopuspay mulawenc rtppcmupay videotestsrc vp8enc rtpvp8pay udpsink; do
    gst-inspect-1.0 "$e" >/dev/null 2>&1 || { skip_reason="GStreamer element $e missing (gstreamer1.0-plugins-base/good)"; return 2; }
  done
  local a=127.0.10.1 b=127.0.10.2
  start_capture webrtc-like "$a" "$b"
  bg timeout 20 socat -u "UDP-RECV:36001,bind=$b" /dev/null
  wait_port udp "$b" 36001 || return 1
  bg timeout 20 gst-launch-1.0 -q audiotestsrc is-live=true num-buffers=60 samplesperbuffer=960 \
    ! audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111 \
    ! udpsink host="$b" port=52000 bind-address="$a" bind-port=47000
  bg timeout 20 gst-launch-1.0 -q audiotestsrc is-live=true num-buffers=60 samplesperbuffer=160 \
    ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay \
    ! udpsink host="$a" port=47000 bind-address="$b" bind-port=52000
  timeout 20 gst-launch-1.0 -q videotestsrc is-live=true num-buffers=15 \
    ! video/x-raw,width=160,height=120,framerate=15/1 ! vp8enc deadline=1 ! rtpvp8pay \
    ! udpsink host="$b" port=36001 bind-address="$a" bind-port=36000 >>"$work/programs.log" 2>&1 || return 1
  sleep 0.5
  stop_servers
  stop_capture webrtc-like
}

# ---- quic-like, wireguard-like, random-udp: datagrams that only look like media ---------------
# No QUIC or WireGuard program in Debian 12 runs here without certificates, keys and a kernel
# module we cannot count on, so a Python sender over real sockets makes their headers (see
# udp_lookalikes.py for what each first byte means).
lookalikes() { # scenario kind net
  need python3 || return 2
  start_capture "$1" "$3.1" "$3.2"
  timeout 30 python3 "$here/udp_lookalikes.py" "$2" "$3.1" "$3.2" >>"$work/programs.log" 2>&1 || return 1
  stop_capture "$1"
}
scenario_quic-like() { lookalikes quic-like quic 127.0.11; }
scenario_wireguard-like() { lookalikes wireguard-like wireguard 127.0.12; }
scenario_random-udp() { lookalikes random-udp random 127.0.13; }

run_scenario() { # name
  local name=$1 rc t0=$SECONDS
  skip_reason="" ns="" in_ns=() # nothing of one scenario's namespace leaks into the next
  rm -f "$out/$name.pcap" "$out/$name.skipped"
  plog "$name"
  "scenario_$name"
  rc=$?
  stop_servers
  if [[ -n $capture_pid ]]; then kill -INT "$capture_pid" 2>/dev/null; wait "$capture_pid" 2>/dev/null; capture_pid=""; fi
  if [[ $rc -eq 2 ]]; then
    echo "$skip_reason" >"$out/$name.skipped"
    log "$name: skipped: $skip_reason"
  elif [[ $rc -ne 0 || ! -s $out/$name.pcap ]]; then
    rm -f "$out/$name.pcap"
    log "$name: FAILED (see $out/corpus.log)"
    failed+=("$name")
  else
    log "$name: $(capinfos -c -M "$out/$name.pcap" | awk '/Number of packets/{print $NF}') frames, $((SECONDS - t0)) s"
  fi
}

failed=()
for name in "${wanted[@]}"; do
  if ! declare -F "scenario_$name" >/dev/null; then
    echo "make-corpus.sh: unknown scenario $name (known: ${ALL[*]})" >&2
    exit 2
  fi
  run_scenario "$name"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  log "failed: ${failed[*]}"
  exit 1
fi
log "captures in $out"
