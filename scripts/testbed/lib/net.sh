# shellcheck shell=bash
# Network of the test bed: one bridge in the root namespace (no address on it), one namespace per
# host with a veth onto the bridge, no default route anywhere, and an `unreachable` route for the
# subnet in the root namespace so a client started outside `ip netns exec` fails locally instead of
# sending test traffic towards the real gateway.

net_up() {
  local hosts=("$@") h ns port
  ip link add "$TB_BRIDGE" type bridge stp_state 0 forward_delay 0
  # No IPv6 link-local address either: the bridge carries test traffic only.
  ip link set "$TB_BRIDGE" addrgenmode none
  ip link set "$TB_BRIDGE" up
  ip route add unreachable "$TB_SUBNET.0/24"

  # Pairwise cuts: a set of (ingress port . egress port) pairs dropped by the bridge.
  nft -f - <<EOF
table bridge $TB_NFT_TABLE {
  set cuts { type ifname . ifname; }
  chain cut_forward {
    type filter hook forward priority 0; policy accept;
    iifname . oifname @cuts drop
  }
}
EOF

  for h in mgr "${hosts[@]}"; do
    ns=$(host_ns "$h")
    port=$(host_port "$h")
    ip netns add "$ns"
    ip link add "$port" type veth peer name eth0 netns "$ns"
    ip link set "$port" addrgenmode none
    ip link set "$port" master "$TB_BRIDGE"
    ip link set "$port" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 addrgenmode none
    ip -n "$ns" addr add "$(host_ip "$h")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

# db1 starts as the master and holds the VIP as a secondary address.
net_add_vip() {
  ip -n "$(host_ns "$1")" addr add "$(vip)/24" dev eth0
}

# Removes everything net_up may have created; silent about what is already gone.
net_down() {
  local ns link
  nft delete table bridge "$TB_NFT_TABLE" 2>/dev/null || true
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns =~ ^mha-(mgr|db[0-9]+)$ ]] && ip netns delete "$ns" 2>/dev/null || true
  done
  # A veth whose namespace is still held open by some process survives the namespace's name.
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $link =~ ^mha-(mgr|db[0-9]+)-p$ ]] && ip link delete "$link" 2>/dev/null || true
  done
  ip link delete "$TB_BRIDGE" 2>/dev/null || true
  while ip route show type unreachable 2>/dev/null | grep -q "^unreachable $TB_SUBNET.0/24"; do
    ip route del unreachable "$TB_SUBNET.0/24" 2>/dev/null || break
  done
}

# --- faults ------------------------------------------------------------------------------------

net_link() {  # net_link <host> up|down
  ip link set "$(host_port "$1")" "$2"
}

net_cut() {  # both directions, so neither side sees the other
  local a b
  a=$(host_port "$1")
  b=$(host_port "$2")
  nft add element bridge "$TB_NFT_TABLE" cuts "{ \"$a\" . \"$b\", \"$b\" . \"$a\" }"
}

net_heal() {
  local a b
  a=$(host_port "$1")
  b=$(host_port "$2")
  nft delete element bridge "$TB_NFT_TABLE" cuts "{ \"$a\" . \"$b\" }" 2>/dev/null || true
  nft delete element bridge "$TB_NFT_TABLE" cuts "{ \"$b\" . \"$a\" }" 2>/dev/null || true
}

net_heal_all() {
  local h
  nft flush set bridge "$TB_NFT_TABLE" cuts 2>/dev/null || true
  for h in mgr $HOSTS; do
    ip link set "$(host_port "$h")" up 2>/dev/null || true
  done
}

net_status() {
  local h port state
  for h in mgr $HOSTS; do
    port=$(host_port "$h")
    state=$(ip -o link show "$port" 2>/dev/null | grep -o 'state [A-Z]*' || echo 'state MISSING')
    printf '  %-4s %-15s ns=%-8s link %s\n' "$h" "$(host_ip "$h")" "$(host_ns "$h")" \
      "${state#state }"
  done
  local cuts
  cuts=$(nft list set bridge "$TB_NFT_TABLE" cuts 2>/dev/null | tr -s '\n\t ' ' ' |
    sed -n 's/.*elements = { \([^}]*\) }.*/\1/p' | tr -d '"')
  printf '  cuts: %s\n' "${cuts:-none}"
}
