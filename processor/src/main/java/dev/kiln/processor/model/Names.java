package dev.kiln.processor.model;

import java.util.List;
import java.util.Locale;

/**
 * How declared names become generated names. The emitter and the checker share these, so a rule
 * that rejects clashing layer names cannot drift from what is generated.
 */
public final class Names {
  /** Suffixes of a layer's generated members: buffers ({@code hiddenOut}) and pass methods. */
  public static final List<String> MEMBER_SUFFIXES =
      List.of("Out", "Pre", "Grad", "PreGrad", "Forward", "Backward", "Kept", "Mask", "Noisy", "Normalized", "Stats");

  /** Suffixes of a layer's generated constants ({@code HIDDEN_WIDTH}). */
  public static final List<String> CONSTANT_SUFFIXES =
      List.of("_WIDTH", "_WEIGHT", "_BIAS", "_RUNNING_MEAN", "_RUNNING_VAR");

  /** Network-wide members of every generated model class. */
  public static final List<String> NETWORK_MEMBERS =
      List.of("INFO", "INPUT_SIZE", "OUTPUT_SIZE", "TARGET_SIZE", "PARAMETER_COUNT", "TRAINABLE_PARAMETER_COUNT",
          "DEFAULT_MAX_BATCH");

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
