/* Test helpers over gst-check shared by the element tests. */
#include "rnn-test-gst.h"

#include <string.h>

/* Pop the first ERROR from @bus and check its domain, code and that its
 * message contains every needle. */
void
check_bus_error (GstBus * bus, GQuark domain, gint code,
    const gchar * const *needles)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;
  gchar *dbg = NULL;
  guint i;

  fail_unless (msg != NULL, "no ERROR message on the bus");
  gst_message_parse_error (msg, &err, &dbg);
  GST_INFO ("error: %s (%s)", err->message, dbg);
  fail_unless (err->domain == domain && err->code == code,
      "unexpected error %s:%d: %s", g_quark_to_string (err->domain),
      err->code, err->message);
  for (i = 0; needles && needles[i]; i++)
    fail_unless (strstr (err->message, needles[i]) != NULL,
        "error \"%s\" does not mention \"%s\"", err->message, needles[i]);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (msg);
}

/* The element must refuse READY -> PAUSED and post the given error. */
void
check_start_error (GstElement * rnn, GQuark domain, gint code,
    const gchar * const *needles)
{
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (rnn, bus);
  fail_unless_equals_int (gst_element_set_state (rnn, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  check_bus_error (bus, domain, code, needles);
  gst_element_set_state (rnn, GST_STATE_NULL);
  gst_element_set_bus (rnn, NULL);
  gst_object_unref (bus);
  gst_object_unref (rnn);
}
