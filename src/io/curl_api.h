/* libcurl, loaded on first use with dlopen. Only the pull channel (--app.metrics-url) and the
 * check command fetch over HTTP; linking libcurl for everyone would map it and its dependency
 * tree (OpenSSL, Kerberos, LDAP, libssh2: about 3 MB of RSS, measured) into every sidecar,
 * against an RSS budget of 8 MB. The headers still give the types and constants. */
#ifndef RIZK_IO_CURL_API_H
#define RIZK_IO_CURL_API_H

#include <curl/curl.h>

/* The entry points this program uses, resolved from libcurl.so.4 (or libcurl-gnutls.so.4). */
struct curl_api {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *c);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    void (*free)(void *p);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *u);
    CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content, unsigned flags);
};

/* curl_api_load returns the resolved table, loading the library on the first call (once per
 * process: the table is written once and only read afterwards). Errors: -ENOENT when no
 * libcurl can be loaded or a symbol is missing (the message is logged once). thread: any. */
int curl_api_load(const struct curl_api **out);

#endif
