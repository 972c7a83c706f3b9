# parent/: the configuration parser.  bison writes $(O)/parent/parse.c;
# CONFIG_OBJS is what trunkd and the tests link for it.
BISON		?= bison
CONFIG_OBJS	:= $(O)/parent/parse.o $(O)/parent/config.o

$(O)/parent/parse.c: parent/parse.y
	@mkdir -p $(@D)
	@echo "  BISON   $<"
	@$(BISON) -Wall -Werror -o $@ $<

# The generated parser is compiled like any other object, from $(O).
$(O)/parent/parse.o: $(O)/parent/parse.c
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The default libexec directory follows the install layout.
$(O)/parent/config.o: CPPFLAGS += -DTRUNKD_LIBEXECDIR='"$(LIBEXECDIR)"'
