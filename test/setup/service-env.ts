/** Every test worker sees the endpoints the global setup brought up, and its build settings, as process.env. */
import { inject } from 'vitest';

Object.assign(process.env, inject('serviceEnv'), inject('buildEnv'));
