#!/usr/bin/env node
// CDK composition only: the stage's stacks (stateful + stateless) with cdk-nag applied. See lib/app.ts.
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';

buildApp(new App());
