package dev.kiln.processor.layers;

import dev.kiln.annotations.Initializer;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.Site;

/** The rules on an initializer and its constant value, shared by the kinds that have weights. */
final class Initializers {
  private Initializers() {}

  static void check(Site site, String attribute, Initializer init, double value, Diagnostics diagnostics) {
    if (!FloatRule.FINITE.check(diagnostics, site, attribute, "@Dense " + attribute, value, Message.INIT_VALUE,
        attribute, value)) {
      return;
    }
    if (init != Initializer.CONSTANT && site.has(attribute)) {
      diagnostics.warning(site, attribute, Message.INIT_VALUE_UNUSED, attribute, init);
    }
  }
}
