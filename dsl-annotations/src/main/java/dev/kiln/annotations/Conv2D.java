package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution on channels-last images [height, width, channels] (Keras's {@code Conv2D}):
 * {@code y = activation(conv(x, W) + b)}. The weight is saved as PyTorch's Conv2d weight
 * [filters, channels, kh, kw] and the bias as [filters].
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv2D {
  /** Output channels. */
  int filters();

  /** {@code {kh, kw}}, or one value for a square kernel. */
  int[] kernelSize();

  /** {@code {sh, sw}}, or one value for both. */
  int[] strides() default {1};

  Padding padding() default Padding.VALID;

  /** Dilation {@code {dh, dw}}, or one value for both. */
  int[] dilation() default {1};

  ActivationFunction activation() default ActivationFunction.LINEAR;

  double alpha() default Double.NaN;

  double temperature() default 1.0;

  Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

  double kernelInitValue() default 0.0;

  double kernelL1() default 0.0;

  double kernelL2() default 0.0;

  boolean useBias() default true;

  boolean trainable() default true;

  Initializer biasInit() default Initializer.ZEROS;

  double biasInitValue() default 0.0;
}
