import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { ProductView } from '../../shared/rpc/supply';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import { MemberName, ProductLink } from './links';
import { mayRegisterProducts } from './permissions';
import { DOSAGE_FORM_LABELS } from './words';

/** How many products one search shows; the contract allows 500. */
const PRODUCTS_SHOWN = 200;

function ProductTable({ products, me }: { products: ProductView[]; me: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Products">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Dosage form</th>
            <th scope="col" className="numeric">
              Pack size
            </th>
            <th scope="col">GTIN</th>
            <th scope="col">NDC</th>
            <th scope="col">Manufacturer</th>
          </tr>
        </thead>
        <tbody>
          {products.map((product) => (
            <tr key={product.gtin}>
              <th scope="row">
                <ProductLink gtin={product.gtin}>
                  {product.name} {product.strength}
                </ProductLink>
                {product.owner === me && (
                  <>
                    {' '}
                    <Badge tone="info">yours</Badge>
                  </>
                )}
              </th>
              <td>{DOSAGE_FORM_LABELS[product.dosageForm]}</td>
              <td className="numeric">{product.packSize.toLocaleString('en-US')}</td>
              <td>
                <code>{product.gtin}</code>
              </td>
              <td>{product.ndc ? <code>{product.ndc}</code> : <span className="muted">—</span>}</td>
              <td>
                <MemberName id={product.owner} name={product.ownerName} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProductSearch({ query }: { query: string }) {
  const navigate = useNavigate();
  const [text, setText] = useState(query);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    void navigate({ to: '/supply/products', search: { q: q === '' ? undefined : q } });
  };
  return (
    <form className="search" role="search" onSubmit={onSubmit}>
      <label htmlFor="product-search">Find a product</label>
      <div className="search-row">
        <input
          id="product-search"
          type="search"
          placeholder="Name, or the start of a GTIN"
          maxLength={120}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
        />
        <button type="submit" className="button-secondary">
          Search
        </button>
      </div>
    </form>
  );
}

/** `#/supply/products?q=…`: the products registered on the chain, by name or GTIN. */
export function ProductsPage({ query }: { query: string }) {
  const profile = useProfile();
  const products = useSupplyQuery('supply.products.list', {
    ...(query === '' ? {} : { query }),
    limit: PRODUCTS_SHOWN,
  });
  const canRegister = mayRegisterProducts(profile.kind);

  return (
    <Page
      title="Products"
      actions={
        canRegister && (
          <Link to="/supply/products/register" className="button-link button-primary">
            Register a product
          </Link>
        )
      }
    >
      <p className="lede">
        Medicines registered on the chain by their manufacturers, each under its GTIN.
      </p>
      <div className="toolbar">
        <ProductSearch query={query} />
      </div>
      {products.error && <ErrorNotice error={products.error} retry={products.reload} />}
      {products.data ? (
        products.data.length === 0 ? (
          <EmptyState>
            {query !== '' ? (
              <>
                No product matches “{query}”. <Link to="/supply/products">Show all products</Link>
              </>
            ) : canRegister ? (
              <>
                No product is registered on the chain yet.{' '}
                <Link to="/supply/products/register">Register your first product</Link>.
              </>
            ) : (
              'No product is registered on the chain yet. Manufacturers register their products here.'
            )}
          </EmptyState>
        ) : (
          <>
            {query !== '' && (
              <p className="muted" role="status">
                {products.data.length === 1
                  ? '1 product matches'
                  : `${products.data.length} products match`}{' '}
                “{query}”. <Link to="/supply/products">Show all</Link>
              </p>
            )}
            <ProductTable products={products.data} me={profile.memberId} />
            {products.data.length === PRODUCTS_SHOWN && (
              <p className="section-note">
                The first {PRODUCTS_SHOWN} products by name are shown: search to find others.
              </p>
            )}
          </>
        )
      ) : (
        products.loading && <Loading what="products" />
      )}
    </Page>
  );
}
