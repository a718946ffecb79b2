package dev.kiln.runtime.optim;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Range checks with messages naming the optimizer, the hyperparameter and the bad value. */
final class Hyperparameters {
  private Hyperparameters() {}

  static void checkSize(String optimizer, int size) {
    if (size < 0) {
      throw new IllegalArgumentException(optimizer + " size must be >= 0, got " + size);
    }
  }

  static void checkLearningRate(String optimizer, float learningRate) {
    if (!(learningRate >= 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException(optimizer + " learning rate must be finite and >= 0, got "
          + format(learningRate));
    }
  }

  /** For momentum, rho, beta1 and beta2. */
  static void checkFraction(String optimizer, String name, float value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(optimizer + " " + name + " must be in [0, 1), got "
          + format(value));
    }
  }

  static void checkPositive(String optimizer, String name, float value) {
    if (!(value > 0) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(optimizer + " " + name + " must be finite and > 0, got "
          + format(value));
    }
  }

  static void checkNonNegative(String optimizer, String name, float value) {
    if (!(value >= 0) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(optimizer + " " + name + " must be finite and >= 0, got "
          + format(value));
    }
  }

  /**
   * The shortest decimal that reads back as {@code value}, written the way Python prints floats
   * ({@code 0.001}, {@code 0.9}, {@code 1e-07}, {@code 1.0}), so descriptions match PyTorch's.
   */
  static String format(float value) {
    if (Float.isNaN(value)) {
      return "nan";
    } else if (Float.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    } else if (value == 0) {
      return (Float.floatToRawIntBits(value) < 0 ? "-" : "") + "0.0";
    }
    BigDecimal decimal = shortestDecimal(value);
    String sign = decimal.signum() < 0 ? "-" : "";
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    if (exponent < -4 || exponent >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      int magnitude = Math.abs(exponent);
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "")
          + magnitude;
    }
    String plain = decimal.abs().toPlainString();
    return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
  }

  /**
   * The decimal with the fewest significant digits that reads back as {@code value} (computed
   * here rather than taken from {@link Float#toString}, which is not always shortest before JDK
   * 19), without trailing zeros.
   */
  private static BigDecimal shortestDecimal(float value) {
    BigDecimal exact = new BigDecimal(value);
    for (int digits = 1; digits < 9; digits++) {
      // The nearest decimal with this many digits is the one most likely to read back.
      BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (candidate.floatValue() == value) {
        return candidate.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(9, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }
}
