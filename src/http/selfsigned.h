/* A self-signed serving certificate made at start when the adapter is given none, as
 * metrics-server and every k8s.io/apiserver server do: an EC P-256 key and a certificate for
 * "localhost", the host name and the loopback addresses, valid for one year from an hour ago
 * (clock skew), extended key usage serverAuth. kube-apiserver reaches such an adapter through an
 * APIService with insecureSkipTLSVerify (the default of deploy/); a CA-signed certificate
 * (cert-manager) is the production choice. */
#ifndef RIZK_HTTP_SELFSIGNED_H
#define RIZK_HTTP_SELFSIGNED_H

#include "core/buf.h"

/* selfsigned_generate appends the certificate PEM to cert and the key PEM (a secret) to key.
 * hostname may be NULL. Errors: -EIO with why (GnuTLS's message). thread: any. */
int selfsigned_generate(const char *hostname, struct buf *cert, struct buf *key, char *why,
                        size_t whylen);

#endif
