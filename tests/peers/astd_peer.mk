# astd alone against the AMI peer (tests/peers/ami_peer.py): a program
# that plays trunkd's parent, dbd and fwd for one astd.
TEST_PROGS	+= $(O)/tests/peers/astd_parent
$(O)/tests/peers/astd_parent: $(O)/tests/peers/astd_parent.o $(COMMON_OBJS)
	$(LINK) $^ $(BSD_LIBS)
