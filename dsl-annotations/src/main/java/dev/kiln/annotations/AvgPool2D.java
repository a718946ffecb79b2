package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Average pooling over channels-last images (Keras's {@code AveragePooling2D}). With
 * {@link Padding#SAME} a window averages only the positions inside the image (Keras; PyTorch's
 * {@code count_include_pad=False}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AvgPool2D {
  /** {@code {ph, pw}}, or one value for a square window. */
  int[] poolSize() default {2};

  /** {@code {sh, sw}}, or one value for both; empty (the default) means the pool size. */
  int[] strides() default {};

  Padding padding() default Padding.VALID;
}
