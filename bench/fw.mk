# bench/fw: bans per second through fwd's netlink path against a bare
# libnftnl loop and against one nft(8) process per ban, and the latency
# of one ban (request to netlink ACK).  Runs in a namespace of its own.
FW_BARE		:= $(O)/bench/fw_bare
BENCHES		+= bench/fw.sh
BENCH_PROGS	+= $(FW_BARE) $(O)/tests/peers/fwdrive

$(O)/bench/fw_bare.o: CPPFLAGS += $(NFT_CFLAGS)
$(FW_BARE): $(O)/bench/fw_bare.o
	$(LINK) $^ $(NFT_LIBS)
