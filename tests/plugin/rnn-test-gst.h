/* Test helpers over gst-check shared by the element tests. */
#ifndef RNN_TEST_GST_H
#define RNN_TEST_GST_H

#include <gst/check/gstcheck.h>

G_BEGIN_DECLS

/* Pop the first ERROR from @bus and check its domain, code and that its
 * message contains every needle (NULL-terminated, may be NULL). */
void check_bus_error (GstBus * bus, GQuark domain, gint code,
    const gchar * const *needles);

/* The element must refuse READY -> PAUSED and post the given error.
 * Takes ownership of @rnn. */
void check_start_error (GstElement * rnn, GQuark domain, gint code,
    const gchar * const *needles);

G_END_DECLS

#endif
