/*
 * astd: Asterisk's side, the AMI client, the pjsip writer and AutoBan.
 * This file holds its start-up.
 */
#include "blob.h"
#include "child.h"
#include "sandbox.h"

static const struct child_ops astd_ops = {
	.role = PROC_ASTD,
	.policy = &astd_sandbox,
	.blob_kinds = 1U << BLOB_AMI_SECRET,
	.blob = blob_keep,
};

int
main(int argc, char *argv[])
{
	child_main(&astd_ops, argc, argv);
}
