# bench/web: webd against nginx with the same certificates and TLS
# settings.  webload is also used by the slow-client tests.
WEBLOAD		:= $(O)/bench/webload
BENCHES		+= bench/web.sh
BENCH_PROGS	+= $(WEBLOAD)
TEST_PROGS	+= $(WEBLOAD)

$(WEBLOAD): $(O)/bench/webload.o
	$(LINK) $^ $(SSL_LIBS) $(BSD_LIBS)
