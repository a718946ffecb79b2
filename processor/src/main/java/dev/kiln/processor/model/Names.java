package dev.kiln.processor.model;

import java.util.Locale;

/** How declared names become generated names. */
public final class Names {
  private Names() {}

  /** {@code hiddenLayer} and {@code hidden_layer} both become {@code HIDDEN_LAYER}. */
  public static String constant(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && name.charAt(i - 1) != '_') {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }
}
