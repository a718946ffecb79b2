package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Shifts images [height, width, channels] by a random fraction of their size in training (Keras's
 * RandomTranslation); identity at inference, where it costs nothing. A factor is one value f, for
 * the range [-|f|, |f|], or two values {lower, upper}, each in [-1, 1]; a positive shift moves the
 * content down or right. Each sample's shift is drawn from the model's noise seed and the sample's
 * position in the training stream, so a seed reproduces it whatever the batch size.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface RandomTranslation {
  /** {@return the vertical shift as a fraction of the height: f or {lower, upper}} */
  double[] heightFactor();

  /** {@return the horizontal shift as a fraction of the width: f or {lower, upper}} */
  double[] widthFactor();

  /** {@return how points outside the image are filled; Keras's default, REFLECT} */
  FillMode fillMode() default FillMode.REFLECT;

  /** {@return how the image is sampled between pixels; Keras's default, BILINEAR} */
  Interpolation interpolation() default Interpolation.BILINEAR;

  /** {@return the value outside the image with {@link FillMode#CONSTANT}} */
  double fillValue() default 0;
}
