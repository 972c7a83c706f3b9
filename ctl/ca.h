/* The admin CA's operations, for ca init and the admin commands. */
#ifndef TRUNKD_CTL_CA_H
#define TRUNKD_CTL_CA_H

#include <sys/types.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "parent/config.h"

EVP_PKEY	*ca_newkey(void);			/* P-384 */
X509		*ca_issue(EVP_PKEY *key, const char *cn, X509 *issuer,
		    EVP_PKEY *ikey, int days, int is_ca);
void		 ca_load(const struct trunkd_conf *, X509 **, EVP_PKEY **);
/* Re-sign the CRL with `serial` added (NULL: only re-sign). */
void		 ca_crl_update(const struct trunkd_conf *, X509 *cacert,
		    EVP_PKEY *cakey, const ASN1_INTEGER *serial);
/* Written to a temporary file, synced and renamed over path. */
void		 ca_write(const char *path, mode_t, int (*)(FILE *, void *),
		    void *);
int		 ca_pem_cert(FILE *, void *);
int		 ca_pem_key(FILE *, void *);

#endif /* TRUNKD_CTL_CA_H */
