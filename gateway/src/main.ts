import 'reflect-metadata';
import { loadConfig, runService } from '@storefront/service-kit';
import { gatewayApp } from './app';
import { gatewayConfigSchema } from './config';

void runService('gateway', gatewayApp(loadConfig(gatewayConfigSchema)));
