# fwd's batch builder against libnftnl's parsers, and its address maths.
UNIT_TESTS += $(O)/tests/unit/fwd_nft_test
$(O)/tests/unit/fwd_nft_test.o: CPPFLAGS += -Ifwd $(NFT_CFLAGS)
$(O)/tests/unit/fwd_nft_test: $(O)/tests/unit/fwd_nft_test.o $(FWD_NFT_OBJS)
	$(LINK) $^ $(NFT_LIBS) $(CMOCKA_LIBS) $(BSD_LIBS)
