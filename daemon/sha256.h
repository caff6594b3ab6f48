/* sha256.h: the daemon's checksums with OpenSSL's SHA-256. */
#ifndef MIGRATED_SHA256_H
#define MIGRATED_SHA256_H

/* Have migfile's checksums computed by OpenSSL (libmd's if it fails). */
void sha256_setup(void);
void sha256_free(void);

#endif
