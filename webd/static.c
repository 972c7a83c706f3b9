/*
 * The stylesheet, compiled in from webd/style.css (webd reads no files):
 * the assembler includes the file as it is, then its length.
 */
#include <stddef.h>

#include "webd.h"

__asm__(
    "	.section .rodata\n"
    "	.global webd_css\n"
    "	.type webd_css, @object\n"
    "webd_css:\n"
    "	.incbin \"webd/style.css\"\n"
    "webd_css_end:\n"
    "	.byte 0\n"
    "	.size webd_css, . - webd_css\n"
    "	.global webd_css_len\n"
    "	.type webd_css_len, @object\n"
    "	.balign 8\n"
    "webd_css_len:\n"
    "	.quad webd_css_end - webd_css\n"
    "	.size webd_css_len, 8\n"
    "	.previous\n");
