# Varnish in front of folio (tested with Debian's varnish 7.1: tests/web/test_cdn.py).
#
#   varnishd -f /etc/varnish/folio.vcl -a :6081 -s malloc,1G
#
# What is cached: answers to signed URLs only. folio marks them `public` with a
# max-age that ends when the signature does, so Varnish's own rules (the
# built-in VCL, which runs after these subroutines) keep them; they are keyed
# by the full URL, signature included, so one signed URL is one object.
# What never is: requests with an API key (`Authorization`) or a share token
# (`?token=`). folio answers those `private`; passing them here as well means a
# keyed answer can never be stored, let alone served to another key or to none.

vcl 4.1;

backend folio {
    .host = "127.0.0.1";
    .port = "8000";
}

sub vcl_recv {
    if (req.http.Authorization || req.url ~ "[?&]token=") {
        return (pass);
    }
    # format=auto answers carry `Vary: Accept`. Browsers send many different
    # Accept strings for the same three answers (AVIF, WebP, JPEG); reduced to
    # the one that decides, the cache keeps at most three copies of an image.
    # (A client that refuses a format with q=0 while naming it is not expected.)
    if (req.url ~ "[?&]format=auto(&|$)") {
        if (req.http.Accept ~ "image/avif") {
            set req.http.Accept = "image/avif";
        } elsif (req.http.Accept ~ "image/webp") {
            set req.http.Accept = "image/webp";
        } else {
            set req.http.Accept = "image/jpeg";
        }
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "[?&]signature=") {
        # No grace: once the max-age (= the signature's remaining life, capped)
        # is over, the next request goes to folio, which refuses an expired
        # signature with 403, instead of being served a stale copy meanwhile.
        set beresp.grace = 0s;
        # Keep the object for revalidation: a long-lived URL whose max-age was
        # capped is then refreshed with If-None-Match and a body-less 304.
        set beresp.keep = 1d;
    }
}
