package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Max pooling over channels-last images (Keras's {@code MaxPooling2D}): the first maximum of a
 * window wins and NaN propagates, as in PyTorch. Padded positions never win.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MaxPool2D {
  /** {@code {ph, pw}}, or one value for a square window. */
  int[] poolSize() default {2};

  /** {@code {sh, sw}}, or one value for both; empty (the default) means the pool size. */
  int[] strides() default {};

  Padding padding() default Padding.VALID;
}
