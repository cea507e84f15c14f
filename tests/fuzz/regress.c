/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays files through the fuzz target: every regression file the fuzzer
 * ever found (tests/fuzz/regressions) and the seed models.  Run by
 * `meson test` (suite fuzz), so a fixed crash stays fixed. */
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 * data, gsize size);

int
main (int argc, char **argv)
{
  guint n = 0;
  for (int i = 1; i < argc; i++) {
    GDir *d = g_dir_open (argv[i], 0, NULL);
    if (!d) {
      fprintf (stderr, "cannot open %s\n", argv[i]);
      return 1;
    }
    const char *f;
    while ((f = g_dir_read_name (d))) {
      if (g_str_has_prefix (f, ".") || g_str_has_suffix (f, ".md"))
        continue;
      g_autofree char *path = g_build_filename (argv[i], f, NULL);
      g_autofree char *buf = NULL;
      gsize len;
      if (!g_file_get_contents (path, &buf, &len, NULL))
        continue;
      LLVMFuzzerTestOneInput ((const guint8 *) buf, len);
      n++;
    }
    g_dir_close (d);
  }
  printf ("%u files replayed through the fuzz target without fault\n", n);
  return n > 0 ? 0 : 1;
}
